"""The anchor of ``python -m benchmarks.load``: the least a Django project can do to answer a verify URL.

One model holding the fields a verify answer states, one indexed lookup by code, a small template
(or ``JsonResponse``), Django's ``startproject`` middleware, persistent database connections.
Served by the same gunicorn settings and driven by the same wrk script as the plugin, over the same
number of rows and the same codes, it says what Django itself allows on this machine in the same
run: the plugin's figure is reported as a ratio of it (issue 16).
"""
