"""The names summary.nc may hold (DESIGN §5): one list, so that a sweep file naming a headline metric
is checked when it is read, not when its report is written. A test asserts that every variable a
summary writes is listed here."""

from __future__ import annotations

SUMMARY_VARIABLES = frozenset(
    {
        # pipelines and cables
        "pipeline_flow_bcm",
        "pipeline_flow_twh",
        "pipeline_capacity_bcm",
        "pipeline_built_bcm",
        "pipeline_utilisation",
        "pipeline_shadow_eur_per_bcm_y",
        "pipeline_shadow_eur_per_mw_y",
        "pipeline_capex_eur_y",
        "cable_forward_twh",
        "cable_reverse_twh",
        "cable_capacity_mw",
        "cable_built_mw",
        "cable_utilisation",
        "cable_shadow_eur_per_mw_y",
        "cable_capex_eur_y",
        # deliveries, sales and capacity built
        "gas_delivery_bcm",
        "gas_delivery_twh",
        "gas_pipeline_delivery_bcm",
        "gas_consumption_bcm",
        "gas_to_europe_bcm",
        "power_sales_twh",
        "power_to_europe_twh",
        "power_market_price_eur_mwh",
        "generator_built_mw",
        # emissions
        "co2_emissions_mt",
        # CBAM at the EU border
        "cbam_delivered_twh",
        "cbam_matched_twh",
        "cbam_charged_twh",
        "cbam_delivered_mw",
        "cbam_matched_mw",
        "cbam_renewable_mw",
        "cbam_charge_eur_y",
        # renewable targets
        "target_share_reached",
        "target_shadow_price",
        # prices
        "price_eur_mwh",
        "price_mean_shift_eur_mwh",
        "price_set_share",
        # binding limits
        "limit_capacity_mw",
        "limit_hours_at_limit",
        "limit_shadow_eur_per_mw_y",
        "limit_next_step_annuity_eur_per_mw_y",
        "limit_net_step_value_eur_y",
        # rents
        "transit_rent_eur_y",
        "scarcity_rent_eur_y",
        "upstream_margin_eur_y",
        # costs
        "objective_eur_y",
        "capex_eur_y",
        "opex_eur_y",
        "gas_import_cost_eur_y",
        "startup_cost_eur_y",
        "market_net_revenue_eur_y",
        "unserved_cost_eur_y",
        # security of supply (runs with unserved_energy: true)
        "unserved_twh",
        "unserved_total_twh",
        "served_share",
        "objective_excl_unserved_eur_y",
        "gas_unserved_by_country_twh",
        "gas_served_share_by_country",
        "power_unserved_by_country_twh",
        "power_served_share_by_country",
        "gas_demand_response_twh",
        "pipeline_spare_when_short_share",
    }
)
"""Every variable name summary.nc (and so sweep.nc) may hold."""
