"""Network builder: validated spec + data tables → ``pypsa.Network`` (no solving)."""

from caspian.pypsa_model.assemble import BuildOptions, BuildResult, build_network

__all__ = ["BuildOptions", "BuildResult", "build_network"]
