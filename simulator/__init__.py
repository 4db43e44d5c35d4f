"""A loopback SDX API simulator, written from the public API documentation.

It serves the endpoints the collection uses (sites, site jobs, the asynchronous
and synchronous developer API) with the documented shapes, auth, rate limit and
error bodies, plus a control surface under ``/_sim/`` that only tests and benchmarks use.
"""
