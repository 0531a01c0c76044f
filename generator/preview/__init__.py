"""`obsgen preview`: every dashboard of out/grafana drawn with data, as Grafana would, without Grafana.

The input is what ships (the dashboard JSON Grafana loads, and the data source's scrape interval from its
provisioning), never the model, so the pictures show exactly what a GitOps merge puts in front of people.
Data comes from a Prometheus over HTTP; charts are drawn by uPlot (vendored in assets/) in a
self-contained HTML page, and headless Chromium takes the PNG.
"""
