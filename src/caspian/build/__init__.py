"""Network builder: validated spec + data tables → ``pypsa.Network`` (no solving)."""

from caspian.build.network import BuildOptions, BuildResult, build_network, make_context

__all__ = ["BuildOptions", "BuildResult", "build_network", "make_context"]
