"""Known vulnerabilities in the installed dependencies, from pip-audit's JSON report (stdin).

Fails on any known vulnerability. A package the vulnerability service could not be asked
about is not a pass: it is listed as unchecked, and fails the run when SOURCED_AUDIT_STRICT=1
(set it wherever the service is reachable). Where it is not reachable (an offline build
machine), the run says in capitals that the audit was not performed, instead of a green tick.
"""

import json
import os
import sys


def main() -> int:
    report = json.load(sys.stdin)
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    unchecked = [d for d in dependencies if d.get("skip_reason")]
    checked = len(dependencies) - len(unchecked)
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    print(
        f"audit: {checked} of {len(dependencies)} packages checked, "
        f"{len(vulnerable)} with known vulnerabilities, {len(unchecked)} not checked"
    )
    if vulnerable:
        return 1
    if unchecked:
        names = ", ".join(sorted(d["name"] for d in unchecked)[:10])
        more = f" and {len(unchecked) - 10} more" if len(unchecked) > 10 else ""
        print(
            "audit: NOT PERFORMED for the packages the vulnerability service did not answer "
            f"for ({names}{more})"
        )
        return 1 if os.environ.get("SOURCED_AUDIT_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
