from generator.model import BusinessMetric, Database, MetricType

SHOP = Database(name="shop", dsn_env="SHOP_DATABASE_URL")
USERS = BusinessMetric(name="active_users", type=MetricType.GAUGE, help="Users.", database=SHOP, sql="SELECT 1 AS value", interval="1m", stale_after="30s")  # expect: stale_after 30s is shorter than interval + timeout (1m10s)
