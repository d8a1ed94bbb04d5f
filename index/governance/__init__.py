"""Knowledge governance: areas, review clocks, outdated copies, audits, experts and gaps."""
