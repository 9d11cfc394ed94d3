from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Synthetic data at county, city, province and stress scale (`zhuqi generate`)."""

    name = "zhuqi.scale"
    label = "scale"
    verbose_name = "规模数据生成"
