# The decision `riskgate check` makes on the gate bench's inputs (a Trivy report, the example
# organisation's guardrails and ownership, one product's acceptances), written in Rego for the
# comparison of issue 19. It covers what those inputs exercise: severity to risk, the risk rules
# on exposure and fixability, each level's gate, the product's overrides, acceptances looked up
# by finding id (product, package, expiry, the longest exception the level allows, who may
# approve, nobody approving their own), the owner, the reasons, the command that would unblock,
# and the verdict. KEV and EPSS are not among the inputs, so their rules are not written.
package riskgate

rank := {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

names := ["none", "low", "medium", "high", "critical"]

severity := {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "NEGLIGIBLE": "none"}

product := data.ownership.products[data.product]

# The levels of the guardrails with the product's overrides (computed once).
levels := {name: object.union(l, object.get(data.guardrails, ["products", data.product, "levels", name], {})) |
	some name, l in data.guardrails.levels
}

base(v) := severity[v.Severity]

base(v) := data.guardrails.risk.unknown_severity if not severity[v.Severity]

fixable(v) if v.FixedVersion != ""

risk(v) := raised(rank[base(v)], v)

raised(b, v) := names[min([4, b + 1])] if {
	product.exposure == "internet"
	b >= rank.high
} else := names[max([0, b - 1])] if {
	product.exposure == "isolated"
	not fixable(v)
} else := names[b]

# The product's acceptances by the finding they accept.
accepted[a.finding] contains a if {
	some a in data.acceptances
	a.product == data.product
}

# The first acceptance of a finding that holds.
holding(v, name) := [a | some a in accepted[v.VulnerabilityID]; valid(a, v, name)][0]

may_approve(role, who) if role == "team"

may_approve(role, who) if {
	role == "risk_owner"
	who == product.risk_owner
}

may_approve(role, who) if {
	role == "risk_owner"
	who in object.get(product, "delegates", [])
}

may_approve(role, who) if {
	role == "security"
	who in data.ownership.teams.appsec.members
}

days(a, b) := (time.parse_ns("2006-01-02", b) - time.parse_ns("2006-01-02", a)) / ((24 * 3600) * 1000000000)

valid(a, v, name) if {
	a.package == v.PkgName
	a.expires > data.today
	rank[a.risk] >= rank[name]
	days(a.created, a.expires) <= levels[name].max_days
	may_approve(levels[name].approver, a.approved_by)
	a.approved_by != a.requested_by
}

status(v, name) := "pass" if {
	levels[name].gate == "pass"
} else := "warn" if {
	levels[name].gate == "warn"
} else := "accepted" if {
	holding(v, name)
} else := "blocked"

reason(v, name, "pass") := sprintf("%s severity %s: risk %s passes", [v.VulnerabilityID, v.Severity, name])

reason(v, name, "warn") := sprintf("%s severity %s: risk %s warns (fix within %d days)", [v.VulnerabilityID, v.Severity, name, levels[name].sla_days])

reason(v, name, "accepted") := sprintf("risk %s accepted by %s until %s (%s)", [name, a.approved_by, a.expires, a.id]) if {
	a := holding(v, name)
}

reason(v, name, "blocked") := sprintf("risk %s needs an acceptance approved by the %s (at most %d days)", [name, levels[name].approver, levels[name].max_days])

unblock(v, name, "blocked") := sprintf("riskgate accept %s --product %s --package %s --risk %s --approver %s", [v.VulnerabilityID, data.product, v.PkgName, name, product.risk_owner])

unblock(v, name, s) := null if s != "blocked"

# The layers of the ownership register these inputs reach: OS packages are the platform's.
owner(r) := "platform" if {
	r.Class == "os-pkgs"
} else := product.team

decide(r, v) := {
	"id": v.VulnerabilityID,
	"package": v.PkgName,
	"version": v.InstalledVersion,
	"target": r.Target,
	"severity": v.Severity,
	"risk": name,
	"status": s,
	"owner": {"team": owner(r), "risk_owner": product.risk_owner},
	"why": reason(v, name, s),
	"unblock": unblock(v, name, s),
} if {
	name := risk(v)
	s := status(v, name)
}

findings := [decide(r, v) | some r in input.Results; some v in r.Vulnerabilities]

blocked := count([f | some f in findings; f.status == "blocked"])

report := {
	"verdict": verdict,
	"blocked": blocked,
	"findings": findings,
}

verdict := "block" if {
	blocked > 0
} else := "allow"
