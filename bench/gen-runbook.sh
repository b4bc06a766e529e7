#!/usr/bin/env bash
# gen-runbook.sh LINES - print a runbook of about LINES lines (never fewer) made of a
# realistic mix: steps with captures, assignments, if/else if/else, expect, require,
# foreach, retry, ask with goto, print and comments. Every step is reachable and the
# whole file passes `runbook check`. Used by bench/run.sh for parse/check scaling.
set -euo pipefail
LINES=${1:?usage: gen-runbook.sh LINES}
awk -v target="$LINES" 'BEGIN {
  print "runbook \"Generated: " target " lines of checks\""
  print "description \"A synthetic runbook for parser and checker benchmarks.\""
  print "param namespace = \"default\" \"the namespace\""
  print "param max_load = 1.5"
  print "timeout 20s"
  print ""
  n = 6
  per = 24                      # lines per step, below
  steps = int((target - n + per - 1) / per); if (steps < 1) steps = 1
  for (i = 1; i <= steps; i++) {
    next_step = (i < steps) ? "s" (i + 1) : "s1"
    print "# Step " i ": a probe, its checks, and a question."
    print "step s" i " \"Is service " i " healthy?\""
    print "  out = $ echo \"ready " i "\" && test -n \"$namespace\""
    print "  state = trim(out.stdout)"
    print "  if state contains \"ready\" and out.exit == 0"
    print "    print \"service " i " is {state}\""
    print "  else if count(lines(out)) > 3"
    print "    print \"odd output from service " i ": {out.stdout}\""
    print "  else"
    print "    expect false else \"service " i " is not ready: {state}\""
    print "  expect out.exit == 0 else \"the probe of service " i " failed (exit {out.exit})\""
    print "  foreach item in [\"a\", \"b\", \"c\"]"
    print "    v = quiet $ printf %s \"$item\""
    print "    expect length(trim(v.stdout)) == 1 else \"unexpected item {item}\""
    print "  retry 3 every 1s backoff until r" i ".exit == 0 else \"service " i " never answered\""
    print "    r" i " = allow-fail $ true"
    print "  load = number(field(\"0.5 0.7 0.9\", 2)) * 2 + " i " % 7"
    print "  require load > 0 else \"the load of " i " must be positive\""
    print "  expect load <= max_load * 100 else \"load {load} is above {max_load}\""
    print "  ask q" i " \"Does the output of service " i " look right?\""
    print "    yes: goto " next_step
    print "    no:"
    print "      print \"moving on from service " i "\""
    print ""
  }
}'
