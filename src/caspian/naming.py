"""Names of model components and what they mean: suffixes of twin and expansion links, the real asset a
model link belongs to, and the carrier names shared by the builders, both formulations and the reports."""

from __future__ import annotations

GAS_FIRED_CARRIER = "gas-fired"
"""Carrier of gas-fired plants (fleets and OCGT peakers), as generators or as links from a gas bus."""


REVERSE_SUFFIX = " reverse"
"""Suffix of the twin link that carries a bidirectional lossy connection's reverse flow."""

EXPANSION_SUFFIX = " expansion"
"""Suffix of the extendable links that represent a project's capacity added to an asset."""


def asset_of(link_name: str) -> str:
    """The real asset a model link belongs to ('TAP expansion 2' → 'TAP', 'AZ–GE reverse' → 'AZ–GE')."""
    name = link_name.removesuffix(REVERSE_SUFFIX)
    if EXPANSION_SUFFIX in name:
        name = name.split(EXPANSION_SUFFIX)[0]
    return name
