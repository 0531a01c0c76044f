from generator.model import BusinessMetric, Database, MetricType

SHOP = Database(name="shop", dsn_env="SHOP_DATABASE_URL")
BASKET = BusinessMetric(name="basket_value", type=MetricType.HISTOGRAM, help="Basket value.", database=SHOP, sql="SELECT total AS value FROM orders")  # expect: a SQL business metric is a gauge or a counter, not a histogram
