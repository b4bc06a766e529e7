# checks.sh — sourced by the lab test scripts: `check DESCRIPTION COMMAND…` runs a check and counts it in $passed or $failed.
passed=0
failed=0
check() {   # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1)); echo "ok   - $what"
    else
        failed=$((failed + 1)); echo "FAIL - $what"
    fi
}
