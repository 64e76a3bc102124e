# Shared by the shell tests: TAP output. Source it, call ok/not_ok through check, end with done_testing.
n_tests=0
n_failed=0
check() { # check "description" command...
        desc=$1
        shift
        n_tests=$((n_tests + 1))
        _out=$("$@" 2>&1)
        if [ $? -eq 0 ]; then
                echo "ok $n_tests - $desc"
        else
                n_failed=$((n_failed + 1))
                echo "not ok $n_tests - $desc"
                # what the failing command said, as TAP comments (its last 20 lines)
                echo "#   command: $*" | cut -c1-300
                [ -n "$_out" ] && printf '%s\n' "$_out" | tail -n 20 | sed 's/^/#   /'
        fi
}
done_testing() {
        echo "1..$n_tests"
}
skip_all() {
        echo "1..0 # SKIP $*"
        exit 0
}
