from generator.model import BusinessMetric, Database, Forecast, MetricType

SHOP = Database(name="shop", dsn_env="SHOP_DATABASE_URL")
USERS = BusinessMetric(name="active_users", type=MetricType.GAUGE, help="Users.", database=SHOP, sql="SELECT 1 AS value")
FORECAST = Forecast(name="active_users", help="Users.", expr="sum(active_users)", season="1d", history="7d")  # expect: exporter job name 'active_users' is taken by BusinessMetric
