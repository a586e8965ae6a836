"""The shipped data: the baseline, the scenario overlays and the historical record.

``baseline.toml`` holds every parameter with its unit and source, ``scenarios/`` the overlays,
``history.toml`` the published figures. Code reads them with :mod:`importlib.resources`, never
by a path relative to the source tree, so an installed wheel finds them as a clone does.
"""
