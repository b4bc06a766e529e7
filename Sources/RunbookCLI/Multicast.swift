import Foundation
import RunbookKit

/// Sends each event to several observers in order (terminal first, then journal).
final class MulticastObserver: RunObserver {
    private var observers: [RunObserver]
    init(_ observers: [RunObserver]) { self.observers = observers }
    func add(_ observer: RunObserver) { observers.append(observer) }
    func handle(_ event: RunEvent) {
        for o in observers { o.handle(event) }
    }
}
