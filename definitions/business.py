"""BUSINESS_METRICS read from the shop's database by the sidecar exporter (SQL), and where that database is.

The application exports some business counters itself (metrics.py: revenue_total, sales_conversions_total...);
these come from the database instead, so they count every order ever placed, survive application restarts,
and cover what no service counts (abandoned carts, satisfaction surveys, RAG spend). They are prefixed
shop_ so they never clash with the application's names. Times in the schema are Unix seconds; `:now` is
bound to the run's time, which keeps the SQL identical on SQLite and PostgreSQL (see `obsgen demo-db`).
"""

from generator.model import BusinessMetric, Database, ExporterSettings, MetricType

COUNTER, GAUGE = MetricType.COUNTER, MetricType.GAUGE

EXPORTER = ExporterSettings(prometheus_url="http://prometheus:9090")

# The DSN (with its password) is a secret: the exporter reads it from the environment, never from out/.
SHOP = Database(name="shop", dsn_env="SHOP_DATABASE_URL")

# --- sales ---------------------------------------------------------------------------------------
# Counters count what only grows: an order's status changes (completed -> refunded), so counting orders by their
# current status would go down on a refund, which Prometheus reads as a counter reset.
orders = BusinessMetric(
    name="shop_orders_total", type=COUNTER, database=SHOP, plan_name="orders",
    help="Orders ever placed.", sql="SELECT COUNT(*) AS value FROM orders",
)
orders_reversed = BusinessMetric(
    name="shop_orders_reversed_total", type=COUNTER, database=SHOP,
    help="Orders refunded or cancelled, by that final status (no order leaves it).", labels=("status",),
    sql="SELECT status, COUNT(*) AS value FROM orders WHERE status IN ('refunded', 'cancelled') GROUP BY status",
)
revenue = BusinessMetric(
    name="shop_revenue_total", type=COUNTER, database=SHOP, unit="currency", plan_name="revenue",
    help="Revenue of every order line ever sold, by product category.", labels=("product_category",),
    sql="SELECT category AS product_category, SUM(amount) AS value FROM order_items GROUP BY category",
)
# The plan's revenue_daily, Revenue Today's number: the database knows which orders were placed today and which were
# refunded since, exactly; increase(revenue_total[$__range]) from midnight extrapolated to the range's edges, lost
# what an application restart reset, counted refunds, and was a refused [0s] at midnight.
revenue_today = BusinessMetric(
    name="shop_revenue_today", type=GAUGE, database=SHOP, unit="currency", plan_name="revenue_daily",
    help="Revenue of the orders placed since 00:00 UTC that are completed (refunded and cancelled ones left out).",
    sql="SELECT COALESCE(SUM(i.amount), 0) AS value FROM order_items i JOIN orders o ON o.id = i.order_id "
        "WHERE o.created_at >= :today AND o.status = 'completed'",
)
units_sold = BusinessMetric(
    name="shop_product_units_sold_total", type=COUNTER, database=SHOP, plan_name="product_sales",
    help="Units sold per product.", labels=("product",), interval="5m", timeout="30s",
    sql="SELECT p.name AS product, SUM(i.quantity) AS value FROM order_items i "
        "JOIN products p ON p.id = i.product_id GROUP BY p.name",
)
conversion = BusinessMetric(
    name="shop_conversion_ratio", type=GAUGE, database=SHOP, unit="ratio", plan_name="conversion_rate",
    help="Share of the sessions ended in the last hour that placed an order, by user segment.",
    labels=("user_segment",),
    sql="SELECT u.segment AS user_segment, AVG(s.converted * 1.0) AS value FROM sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.ended_at > :now - 3600 GROUP BY u.segment",
)
cart_abandonment = BusinessMetric(
    name="shop_cart_abandonment_ratio", type=GAUGE, database=SHOP, unit="ratio", plan_name="cart_abandonment_rate",
    help="Share of the carts closed in the last hour that were abandoned.",
    sql="SELECT AVG(abandoned * 1.0) AS value FROM carts WHERE closed_at > :now - 3600",
)

# --- user experience -----------------------------------------------------------------------------
active_users = BusinessMetric(
    name="shop_active_users", type=GAUGE, database=SHOP, plan_name="active_users",
    help="Users with a session in the last 15 minutes, by user segment.", labels=("user_segment",), whole=True,
    sql="SELECT u.segment AS user_segment, COUNT(DISTINCT s.user_id) AS value FROM sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.ended_at > :now - 900 GROUP BY u.segment",
)
satisfaction = BusinessMetric(
    name="shop_user_satisfaction_score", type=GAUGE, database=SHOP, plan_name="user_satisfaction_score",
    help="Average survey score (1 to 10) of the last 24 hours.", interval="5m", timeout="30s",
    sql="SELECT AVG(score * 1.0) AS value FROM feedback WHERE created_at > :now - 86400",
)

# --- RAG performance and cost --------------------------------------------------------------------
rag_queries = BusinessMetric(  # obsgen: disable=SM003 a RAG question's status is set once, when it is answered
    name="shop_rag_queries_total", type=COUNTER, database=SHOP, plan_name="rag_queries",
    help="RAG questions answered, by outcome (ok, no_answer, error).", labels=("status",),
    sql="SELECT status, COUNT(*) AS value FROM rag_queries GROUP BY status",
)
rag_cost = BusinessMetric(
    name="shop_rag_cost_total", type=COUNTER, database=SHOP, unit="currency", plan_name="rag_cost",
    help="Model and retrieval spend of every RAG question.",
    sql="SELECT SUM(cost) AS value FROM rag_queries",
)
rag_cost_per_query = BusinessMetric(
    name="shop_rag_cost_per_query", type=GAUGE, database=SHOP, unit="currency", plan_name="cost_per_query",
    help="Average spend per RAG question over the last hour.",
    sql="SELECT AVG(cost) AS value FROM rag_queries WHERE created_at > :now - 3600",
)
rag_relevance = BusinessMetric(
    name="shop_rag_answer_relevance", type=GAUGE, database=SHOP, unit="ratio", plan_name="search_accuracy",
    help="Average relevance of the answered RAG questions over the last hour.",
    sql="SELECT AVG(relevance) AS value FROM rag_queries WHERE status = 'ok' AND created_at > :now - 3600",
)
