from generator.model import Database

SHOP = Database(name="shop", dsn="postgresql://exporter:hunter2@db:5432/shop")  # expect: 'dsn' inlines a password in a URL's user part
