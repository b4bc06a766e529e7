/// The printers by resource (`pods`, `deployments.apps`); the rest print NAME and AGE.
enum TablePrinters {
    static let byResource: [String: TablePrinter] = [
        "pods": PodPrinter.printer,
        "nodes": NodePrinter.printer,
        "events": EventPrinter.printer,
        "services": NetworkPrinters.service,
        "endpoints": NetworkPrinters.endpoints,
        "ingresses.networking.k8s.io": NetworkPrinters.ingress,
        "deployments.apps": WorkloadPrinters.deployment,
        "replicasets.apps": WorkloadPrinters.replicaSet,
        "daemonsets.apps": WorkloadPrinters.daemonSet,
        "statefulsets.apps": WorkloadPrinters.statefulSet,
        "jobs.batch": WorkloadPrinters.job,
        "cronjobs.batch": WorkloadPrinters.cronJob,
        "persistentvolumeclaims": StoragePrinters.claim,
        "persistentvolumes": StoragePrinters.volume,
        "storageclasses.storage.k8s.io": StoragePrinters.storageClass,
        "namespaces": ClusterPrinters.namespace,
        "configmaps": ClusterPrinters.configMap,
        "secrets": ClusterPrinters.secret,
        "leases.coordination.k8s.io": ClusterPrinters.lease,
        "poddisruptionbudgets.policy": ClusterPrinters.podDisruptionBudget,
        "horizontalpodautoscalers.autoscaling": ClusterPrinters.horizontalPodAutoscaler,
    ]
}
