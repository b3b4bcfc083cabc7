"""Helpers shared by the test suites: a throw-away TLS authority, a loopback static server and
runners for the external verifiers (the npm packages and the 1EdTech Open Badges 2.0 validator)."""
