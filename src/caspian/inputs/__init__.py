"""What both formulations share: the spec schema, the data tables, the build context, costs, fleets,
weather profiles, hourly series, solver defaults and geography — and therefore what the cross-check
cannot catch."""
