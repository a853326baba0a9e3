"""Built-in plugin: code locations that are Python modules, packages or files.

Registers one location per ``headwater.locations`` entry point and loads the ``module``,
``package`` and ``python_file`` kinds. Both implementations are ``trylast``, so an installed
plugin can add locations from elsewhere or load these kinds differently.
"""

from __future__ import annotations

from headwater.hookspecs import hookimpl


@hookimpl(trylast=True)
def register_code_locations(instance):
    from headwater.locations.entry_points import entry_point_specs

    return entry_point_specs()


@hookimpl(trylast=True)
def load_code_location(spec, instance):
    from headwater.locations.python_targets import PYTHON_KINDS, load_python_location

    if spec.kind not in PYTHON_KINDS:
        return None
    return load_python_location(spec)
