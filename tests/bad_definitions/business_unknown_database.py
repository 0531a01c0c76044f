from generator.model import BusinessMetric, Database, MetricType

SHOP = Database(name="shop", dsn_env="SHOP_DATABASE_URL")
ORDERS = BusinessMetric(name="orders_total", type=MetricType.COUNTER, help="Orders.", database="shopp", sql="SELECT COUNT(*) AS value FROM orders")  # expect: unknown database 'shopp'; defined: shop
