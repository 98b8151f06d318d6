"""The climate-policy constraints a built network carries into its formulation: CBAM at the EU border
(:mod:`caspian.pypsa_model.cbam`) and enforced renewable targets (:mod:`caspian.pypsa_model.targets`)."""

from __future__ import annotations

from dataclasses import dataclass

import pypsa

from caspian.inputs.context import BuildContext
from caspian.inputs.targets import Target, enforced_targets
from caspian.pypsa_model.cbam import CbamBorder, add_cbam, cbam_border
from caspian.pypsa_model.targets import add_targets, check_fixed_capacity_targets


@dataclass(frozen=True)
class PolicyConstraints:
    """CBAM's border (None: no charge) and the renewable targets to enforce."""

    cbam: CbamBorder | None = None
    targets: tuple[Target, ...] = ()


def policy_constraints(n: pypsa.Network, ctx: BuildContext) -> PolicyConstraints:
    """The policy constraints of the built network ``n`` under the run's ``policy`` (an unmeetable capacity
    target is refused here, before either formulation sees it)."""
    targets = enforced_targets(ctx)
    check_fixed_capacity_targets(n, targets, ctx.spec.name)
    return PolicyConstraints(cbam_border(n, ctx), targets)


def add_policy(n: pypsa.Network, policy: PolicyConstraints) -> None:
    """Add the policy's variables, constraints and costs to ``n.model``."""
    if policy.cbam is not None:
        add_cbam(n, policy.cbam)
    add_targets(n, policy.targets)


NO_POLICY = PolicyConstraints()
"""A network without CBAM charges or enforced targets."""
