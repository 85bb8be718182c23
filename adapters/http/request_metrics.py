"""Request metrics: Litestar's Prometheus middleware, labelled by route template."""

from litestar.plugins.prometheus import PrometheusConfig

from adapters.metrics import PREFIX


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="dolgo_pay",
        prefix=PREFIX,
        group_path=True,  # label by route template, not by the ids in the path
        exclude=["^/metrics", "^/sandbox"],
    )
