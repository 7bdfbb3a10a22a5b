"""Fail unless a pytest JUnit report ran tests on the expected engine without failures."""

import sys
import xml.etree.ElementTree as ET

report, engine = sys.argv[1], sys.argv[2]
suite = ET.parse(report).getroot()
suite = suite.find("testsuite") if suite.tag == "testsuites" else suite
tests, failures, errors = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors"))
engine_checks = [
    case
    for case in suite.iter("testcase")
    if case.get("name") == "test_suite_runs_on_the_expected_engine"
]
ran = [
    case for case in engine_checks if case.find("skipped") is None and case.find("failure") is None
]
if tests == 0 or failures or errors or not ran:
    sys.exit(
        f"{engine}: tests={tests} failures={failures} errors={errors} engine check ran={bool(ran)}"
    )
print(f"{engine}: {tests} tests, {int(suite.get('skipped', 0))} skipped, engine check passed")
