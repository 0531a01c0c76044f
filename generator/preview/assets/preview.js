/* obsgen preview: draws a Grafana dashboard's JSON with data, as Grafana lays it out and formats it.
   Every string from the dashboard or the data is set as text, never parsed as HTML, except text panels,
   whose markdown obsgen rendered with raw HTML disabled. */
(function () {
  "use strict";
  const spec = JSON.parse(document.getElementById("preview-spec").textContent);
  const GRID = { columns: 24, rowHeight: 30, margin: 8 };
  const TEXT = "#ccccdc", MUTED = "rgba(204, 204, 220, 0.65)", GRIDLINE = "rgba(204, 204, 220, 0.08)";
  const FONT = '12px "Inter", "DejaVu Sans", sans-serif';
  const NAMED = {
    green: "#73BF69", "semi-dark-green": "#56A64B", "dark-green": "#37872D", "light-green": "#96D98D",
    red: "#F2495C", "semi-dark-red": "#E02F44", "dark-red": "#C4162A", "light-red": "#FF7383",
    orange: "#FF9830", "semi-dark-orange": "#FF780A", "dark-orange": "#FA6400", "light-orange": "#FFB357",
    yellow: "#FADE2A", "semi-dark-yellow": "#F2CC0C", "dark-yellow": "#E0B400", "light-yellow": "#FFEE52",
    blue: "#5794F2", "semi-dark-blue": "#3274D9", "dark-blue": "#1F60C4", "light-blue": "#8AB8FF",
    purple: "#B877D9", "semi-dark-purple": "#A352CC", "dark-purple": "#8F3BB8", "light-purple": "#CA95E5",
    text: TEXT, transparent: "transparent",
  };
  const CLASSIC = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0",
    "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477", "#B7DBAB",
    "#F4D598", "#70DBED", "#F9BA8F", "#F29191", "#82B5D8", "#E5A8E2", "#AEA2E0"];
  const color = (name) => NAMED[name] || name || NAMED.green;
  const alpha = (hex, opacity) => {
    const m = /^#([0-9a-f]{6})$/i.exec(hex);
    if (!m) return hex;
    const n = parseInt(m[1], 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${opacity})`;
  };

  /* ---- values: Grafana's unit formats, decimals, thresholds and value mappings ---- */
  function autoDecimals(value) {
    if (value === 0 || !isFinite(value)) return 0;
    if (value % 1 === 0) return 0;
    let dec = -Math.floor(Math.log10(Math.abs(value))) + 1;
    if (Math.abs(value) / Math.pow(10, -dec) > 2.25) dec += 1;
    return Math.max(0, dec);
  }
  function fixed(value, decimals) {
    const d = decimals == null ? autoDecimals(value) : decimals;
    return value.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d, useGrouping: false });
  }
  function scaled(value, decimals, factor, suffixes, spaced) {
    let i = 0, v = value;
    while (Math.abs(v) >= factor && i < suffixes.length - 1) { v /= factor; i += 1; }
    const suffix = suffixes[i];
    return [fixed(v, decimals), suffix ? (spaced ? " " : "") + suffix : ""];
  }
  const SHORT = ["", "K", "Mil", "Bil", "Tri"];
  const COUNT = ["", "K", "M", "B", "T"];
  function duration(seconds, decimals) {
    const abs = Math.abs(seconds);
    if (abs === 0) return [fixed(0, decimals), " s"];
    if (abs < 1e-6) return [fixed(seconds * 1e9, decimals), " ns"];
    if (abs < 1e-3) return [fixed(seconds * 1e6, decimals), " µs"];
    if (abs < 1) return [fixed(seconds * 1e3, decimals), " ms"];
    if (abs < 60) return [fixed(seconds, decimals), " s"];
    if (abs < 3600) return [fixed(seconds / 60, decimals), " min"];
    if (abs < 86400) return [fixed(seconds / 3600, decimals), " hour"];
    if (abs < 604800) return [fixed(seconds / 86400, decimals), " day"];
    if (abs < 31536000) return [fixed(seconds / 604800, decimals), " week"];
    return [fixed(seconds / 3.15569e7, decimals), " year"];
  }
  const UNITS = {
    none: (v, d) => [fixed(v, d), ""],
    short: (v, d) => scaled(v, d, 1000, SHORT, true),
    percent: (v, d) => [fixed(v, d), "%"],
    percentunit: (v, d) => [fixed(v * 100, d), "%"],
    s: duration,
    ms: (v, d) => duration(v / 1000, d),
    bytes: (v, d) => scaled(v, d, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], true),
    decbytes: (v, d) => scaled(v, d, 1000, ["B", "kB", "MB", "GB", "TB", "PB"], true),
    Bps: (v, d) => scaled(v, d, 1000, ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"], true),
    binBps: (v, d) => scaled(v, d, 1024, ["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"], true),
    // the throughput units print Grafana's per-second symbols (valueFormats' simpleCountUnit("ops/s"), not "ops")
    ops: (v, d) => withSuffix(scaled(v, d, 1000, COUNT, false), " ops/s"),
    reqps: (v, d) => withSuffix(scaled(v, d, 1000, COUNT, false), " req/s"),
    iops: (v, d) => withSuffix(scaled(v, d, 1000, COUNT, false), " io/s"),
    cps: (v, d) => withSuffix(scaled(v, d, 1000, COUNT, false), " c/s"),
    currencyUSD: (v, d) => ["$" + scaled(v, d, 1000, COUNT, false).join("").replace("$-", "-$"), ""],
    currencyEUR: (v, d) => ["€" + scaled(v, d, 1000, COUNT, false).join(""), ""],
  };
  function withSuffix(parts, suffix) { return [parts[0], parts[1] + suffix]; }
  function format(value, unit, decimals) {
    if (value == null || !isFinite(value)) return "No data";
    const formatter = UNITS[unit || "none"];
    if (formatter) return formatter(value, decimals).join("");
    return fixed(value, decimals) + (unit ? " " + unit : "");
  }
  function tick(value, config, increment) {
    // as Grafana's axis: decimals from the ticks' increment (guessDecimals(roundDecimals(tickIncr, 6))), so ticks
    // 0.5 ms apart read 130, 130.5, 131 ms rather than each rounded alone to 130
    const guessed = (String(+increment.toFixed(6)).split(".")[1] || "").length;
    const text = format(value, config.unit, config.decimals != null ? config.decimals : guessed || null);
    return config.decimals == null ? text.replace(/(\.\d*?)0+(?=\D|$)/, "$1").replace(/\.(?=\D|$)/, "") : text;
  }
  function thresholdColor(value, config) {
    const steps = ((config.thresholds || {}).steps || []);
    let v = value;
    if ((config.thresholds || {}).mode === "percentage") {
      const min = config.min ?? 0, max = config.max ?? 100;
      v = max === min ? 0 : ((value - min) / (max - min)) * 100;
    }
    let found = steps.length ? steps[0].color : "green";
    for (const step of steps) if (step.value == null || v >= step.value) found = step.color;
    return color(found);
  }
  function mapped(value, config) {
    for (const mapping of config.mappings || []) {
      const options = mapping.options || {};
      if (mapping.type === "value" && value != null && options[String(value)]) return options[String(value)];
      if (mapping.type === "range" && value != null && (options.from == null || value >= options.from)
          && (options.to == null || value <= options.to)) return options.result || {};
      if (mapping.type === "special" && value == null && options.match === "null") return options.result || {};
    }
    return null;
  }
  function display(value, config) {
    const hit = mapped(value, config);
    const text = hit && hit.text != null ? hit.text : format(value, config.unit, config.decimals);
    const shade = hit && hit.color ? color(hit.color) : (value == null ? MUTED : thresholdColor(value, config));
    return { text, color: shade };
  }
  function reduce(values, calc) {
    const present = values.filter((v) => v != null);
    if (!present.length) return null;
    switch (calc) {
      case "mean": return present.reduce((a, b) => a + b, 0) / present.length;
      case "max": return Math.max(...present);
      case "min": return Math.min(...present);
      case "sum": return present.reduce((a, b) => a + b, 0);
      case "first": case "firstNotNull": return present[0];
      case "last": return values[values.length - 1];
      default: return present[present.length - 1];
    }
  }

  /* ---- layout: react-grid-layout as Grafana configures it ---- */
  function place(gridPos, width) {
    const column = (width - GRID.margin * (GRID.columns - 1)) / GRID.columns;
    const g = Object.assign({ x: 0, y: 0, w: 12, h: 8 }, gridPos);
    return {
      left: Math.round((column + GRID.margin) * g.x), top: Math.round((GRID.rowHeight + GRID.margin) * g.y),
      width: Math.round(column * g.w + Math.max(0, g.w - 1) * GRID.margin),
      height: Math.round(GRID.rowHeight * g.h + Math.max(0, g.h - 1) * GRID.margin),
    };
  }
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  /* A panel's own time (timeFrom, timeShift) in its header, as Grafana's PanelTimeRange title item: a clock, the text. */
  function timeItem(text) {
    const item = el("span", "time-info");
    const clock = svgNode("svg", { viewBox: "0 0 16 16" });
    const line = { fill: "none", stroke: "currentColor", "stroke-width": 1.5 };
    clock.append(svgNode("circle", { cx: 8, cy: 8, r: 6.5, ...line }), svgNode("path", { d: "M8 4.5V8H4.5", ...line }));
    item.append(clock, el("span", "", text));
    return item;
  }

  /* ---- charts over time (uPlot) ---- */
  const charts = [];
  window.previewCharts = charts;  /* the uPlot charts drawn, for tests reading what their axes say */
  function timeAxis() {
    return { stroke: MUTED, font: FONT, space: 80, grid: { stroke: GRIDLINE, width: 1 }, ticks: { show: false } };
  }
  function valueAxis(config) {
    return {
      stroke: MUTED, font: FONT, grid: { stroke: GRIDLINE, width: 1 }, ticks: { show: false },
      size: (u, values) => 12 + Math.max(24, ...(values || []).map((v) => measure(v))),
      values: (u, splits, axis, space, increment) => splits.map((v) => (v == null ? null : tick(v, config, increment))),
      // as Grafana's: with no decimals, a linear axis labels only whole values
      filter: config.decimals === 0 ? (u, splits) => splits.map((v) => (Number.isInteger(v) ? v : null)) : undefined,
    };
  }
  let measurer = null;
  function measure(text, font) {
    measurer = measurer || document.createElement("canvas").getContext("2d");
    measurer.font = font || FONT;
    return Math.ceil(measurer.measureText(String(text)).width);
  }
  /* Time axes in the zone the range was rounded in (dashboard_time.zone_name), as Grafana draws them in the dashboard's zone:
     not the zone of whatever browser draws the page. */
  const zoned = (seconds) => uPlot.tzDate(new Date(seconds * 1e3), spec.timezone || "UTC");
  function chart(body, options, data) {
    const plot = new uPlot(Object.assign({ width: body.clientWidth, height: body.clientHeight, tzDate: zoned,
      legend: { show: false }, cursor: { show: !!spec.live, points: { show: false } } }, options), data, body);
    charts.push(plot);
    return plot;
  }
  function legend(body, entries) {
    const box = el("div", "legend");
    for (const [name, shade] of entries) {
      const item = el("span", "item");
      const swatch = el("span", "swatch");
      swatch.style.background = shade;
      item.append(swatch, el("span", "", name));
      box.append(item);
    }
    body.append(box);
    return box;
  }
  function seriesColors(series) { return series.map((s, i) => CLASSIC[i % CLASSIC.length]); }
  function withChartArea(body, entries) {
    const area = el("div");
    body.append(area);
    const box = entries && entries.length ? legend(body, entries) : null;
    area.style.height = (body.clientHeight - 8 - (box ? box.offsetHeight : 0)) + "px";
    return area;
  }
  function thresholdLines(config, custom) {
    const mode = ((custom.thresholdsStyle || {}).mode) || "off";
    if (mode === "off") return [];
    return [(u) => {
      const ctx = u.ctx;
      for (const step of ((config.thresholds || {}).steps || [])) {
        if (step.value == null) continue;
        const y = u.valToPos(step.value, "y", true);
        if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
        ctx.save();
        ctx.strokeStyle = color(step.color);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash(mode === "dashed" || mode === "line+area" ? [] : [6 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
        ctx.restore();
      }
    }];
  }
  function timeseries(body, panel, data, config) {
    const custom = config.custom || {};
    const colors = seriesColors(data.series);
    const showLegend = ((panel.options || {}).legend || {}).showLegend !== false;
    const area = withChartArea(body, showLegend ? data.series.map((s, i) => [s.name, colors[i]]) : null);
    let columns = data.series.map((s) => s.values);
    if (((custom.stacking || {}).mode) === "normal") {
      const running = data.time.map(() => 0);
      columns = columns.map((values) => values.map((v, i) => (v == null ? null : (running[i] += v))));
    }
    const bars = custom.drawStyle === "bars";
    const series = [{}].concat(data.series.map((s, i) => ({
      label: s.name, stroke: colors[i], width: custom.lineWidth ?? 1, spanGaps: !!custom.spanNulls,
      fill: custom.fillOpacity ? alpha(colors[i], custom.fillOpacity / 100) : undefined,
      points: { show: custom.showPoints === "always" || data.time.length === 1 },
      paths: bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
    })));
    const range = (u, min, max) => {
      /* Grafana's soft limits: the axis reaches at least them (an alert's threshold line shown while far off) */
      if (custom.axisSoftMin != null && min != null) min = Math.min(min, custom.axisSoftMin);
      if (custom.axisSoftMax != null && max != null) max = Math.max(max, custom.axisSoftMax);
      const lo = config.min ?? (min > 0 && !bars ? min : Math.min(0, min));
      const hi = config.max ?? (max === lo ? lo + 1 : max);
      return uPlot.rangeNum(lo, hi, 0.05, true);
    };
    chart(area, { series, scales: { x: { time: true }, y: { range } },
      axes: [timeAxis(), valueAxis(config)], hooks: { draw: thresholdLines(config, custom) } },
    [data.time].concat(columns));
  }

  /* ---- stat and gauge: one reduced value per series, coloured by thresholds ---- */
  function reduced(panel, data) {
    const calcs = (((panel.options || {}).reduceOptions || {}).calcs || ["lastNotNull"]);
    return data.series.map((s) => ({ name: s.name, value: reduce(s.values, calcs[0]), values: s.values }));
  }
  function stat(body, panel, data, config) {
    const options = panel.options || {};
    const items = reduced(panel, data);
    const vertical = options.orientation === "vertical"
      || (options.orientation !== "horizontal" && body.clientHeight > body.clientWidth && items.length > 1);
    const box = el("div", "stats" + (vertical ? " vertical" : ""));
    body.append(box);
    const background = options.colorMode === "background";
    const cells = [];
    for (const item of items) {
      const shown = display(item.value, config);
      const cell = el("div", "stat");
      cell.dataset.value = item.value == null ? "" : String(item.value);
      if (background) cell.style.background = shown.color;
      if (items.length > 1 && options.textMode !== "value") cell.append(el("div", "name", item.name));
      const value = el("div", "value", shown.text);
      value.style.color = background ? "#fff" : (options.colorMode === "none" ? TEXT : shown.color);
      cell.append(value);
      box.append(cell);
      cells.push([cell, value, shown.text]);
      if (options.graphMode === "area" && data.time.length > 1) {
        const spark = el("div", "spark");
        spark.style.height = Math.round(cell.clientHeight * 0.45) + "px";
        cell.append(spark);
        const shade = background ? "rgba(255,255,255,0.6)" : shown.color;
        chart(spark, { width: cell.clientWidth, height: spark.clientHeight, axes: [{ show: false }, { show: false }],
          series: [{}, { stroke: alpha(shade, 0.9), fill: alpha(shade, 0.15), width: 1, points: { show: false } }],
          scales: { x: { time: true } } }, [data.time, item.values]);
      }
    }
    const size = Math.min(64, ...cells.map(([cell, , shown]) => Math.min(
      cell.clientHeight * (items.length > 1 ? 0.45 : 0.55), cell.clientWidth / Math.max(3, shown.length * 0.62))));
    for (const [, value] of cells) value.style.fontSize = Math.max(10, size) + "px";
  }
  function arc(cx, cy, r, from, to) {
    const p = (a) => [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    const [x1, y1] = p(from), [x2, y2] = p(to);
    return `M ${x1} ${y1} A ${r} ${r} 0 ${to - from > Math.PI ? 1 : 0} 1 ${x2} ${y2}`;
  }
  function svgNode(tag, attributes) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    return node;
  }
  function gauge(body, panel, data, config) {
    const options = panel.options || {};
    const box = el("div", "gauges");
    body.append(box);
    const min = config.min ?? 0;
    const max = config.max ?? (config.unit === "percentunit" ? 1 : 100);
    const START = Math.PI * 0.75, SWEEP = Math.PI * 1.5;
    const angle = (v) => START + SWEEP * Math.min(1, Math.max(0, (v - min) / ((max - min) || 1)));
    for (const item of reduced(panel, data)) {
      const w = Math.max(10, box.clientWidth / Math.max(1, data.series.length) - 8), h = box.clientHeight;
      const svg = svgNode("svg", { viewBox: `0 0 ${w} ${h}`, width: w, height: h });
      const r = Math.max(10, Math.min(w / 2, h / 1.7) - 12), cx = w / 2, cy = Math.min(h / 2 + r * 0.25, h - 4);
      const shown = display(item.value, config);
      if (options.showThresholdMarkers !== false) {
        const steps = (config.thresholds || {}).steps || [];
        steps.forEach((step, i) => {
          const from = step.value == null ? min : step.value, to = i + 1 < steps.length ? steps[i + 1].value : max;
          if (to <= from) return;
          svg.append(svgNode("path", { d: arc(cx, cy, r, angle(from), angle(to)), stroke: color(step.color),
            "stroke-width": Math.max(3, r * 0.07), fill: "none" }));
        });
      }
      const inner = r * 0.82, thick = Math.max(6, r * 0.22);
      svg.append(svgNode("path", { d: arc(cx, cy, inner, START, START + SWEEP), stroke: "rgba(204,204,220,0.1)",
        "stroke-width": thick, fill: "none" }));
      if (item.value != null && angle(item.value) > START) {
        svg.append(svgNode("path", { d: arc(cx, cy, inner, START, angle(item.value)), stroke: shown.color,
          "stroke-width": thick, fill: "none" }));
      }
      const text = svgNode("text", { x: cx, y: cy + r * 0.12, fill: shown.color, "text-anchor": "middle",
        "font-size": Math.max(10, Math.min(r * 0.45, (inner * 1.6) / Math.max(3, shown.text.length * 0.6))),
        "font-family": "Inter, DejaVu Sans, sans-serif", "font-weight": 500 });
      text.textContent = shown.text;
      svg.append(text);
      svg.dataset.value = item.value == null ? "" : String(item.value);
      box.append(svg);
    }
  }

  /* ---- bar chart (Prometheus' top-N as horizontal bars), table ---- */
  /* Grafana's barchart joins its frames and bars by their first string field, else their first time field
     (public/app/plugins/panel/barchart/utils.ts, prepareBarChartDisplayValues): a Prometheus answer in `table`
     format has its labels as string fields, one bar per series; in `time_series` format (range or instant) it has
     only Time and a value per series, so each timestamp is a category holding one bar per series, named in the
     legend by its display name. */
  function barchart(body, panel, data, config) {
    if (data.byTime) return timeBars(body, panel, data, config);  /* frames.panel_data: an answer not in table format */
    const items = reduced(panel, data).filter((item) => item.value != null);
    const options = panel.options || {};
    const showLegend = (options.legend || {}).showLegend !== false;
    const shade = CLASSIC[0];
    const area = withChartArea(body, showLegend ? [[config.displayName || "Value", shade]] : null);
    const w = area.clientWidth, h = area.clientHeight;
    const svg = svgNode("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: "bars" });
    const labelWidth = Math.min(w * 0.35, 8 + Math.max(0, ...items.map((item) => measure(item.name))));
    const slot = h / Math.max(1, items.length), top = Math.max(0, ...items.map((item) => item.value));
    items.forEach((item, i) => {
      const bar = Math.max(1, ((w - labelWidth - 70) * item.value) / (top || 1));
      const y = i * slot + (slot * (1 - (options.barWidth ?? 0.8))) / 2, height = slot * (options.barWidth ?? 0.8);
      svg.append(svgNode("rect", { x: labelWidth, y, width: bar, height, fill: alpha(shade, 0.8), stroke: shade }));
      const label = svgNode("text", { x: labelWidth - 6, y: y + height / 2 + 4, fill: MUTED, "text-anchor": "end",
        "font-size": 12 });
      label.textContent = item.name;
      const value = svgNode("text", { x: labelWidth + bar + 6, y: y + height / 2 + 4, fill: TEXT, "font-size": 12 });
      value.textContent = format(item.value, config.unit, config.decimals);
      svg.append(label, value);
    });
    area.append(svg);
  }
  function timeLabel(seconds) {
    const d = zoned(seconds), two = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
      + `:${two(d.getSeconds())}`;
  }
  function timeBars(body, panel, data, config) {
    const options = panel.options || {};
    const series = data.series, shades = seriesColors(series);
    const rows = data.time.map((t, i) => i).filter((i) => series.some((s) => s.values[i] != null));
    const showLegend = (options.legend || {}).showLegend !== false;
    const area = withChartArea(body, showLegend ? series.map((s, i) => [s.name, shades[i]]) : null);
    const w = area.clientWidth, h = area.clientHeight;
    const svg = svgNode("svg", { width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: "bars time-bars" });
    svg.dataset.categories = String(rows.length);
    const values = rows.flatMap((i) => series.map((s) => s.values[i])).filter((v) => v != null);
    const top = Math.max(0, ...values), low = Math.min(0, ...values), span = (top - low) || 1;
    const across = options.orientation !== "vertical";  /* horizontal: categories down the left, bars to the right */
    const label = measure(timeLabel(data.time[0] || 0)) + 8;
    const plot = across ? { x: label, y: 4, w: w - label - 12, h: h - 24 } : { x: 48, y: 8, w: w - 56, h: h - 28 };
    const slot = (across ? plot.h : plot.w) / Math.max(1, rows.length);
    const group = slot * (series.length > 1 ? (options.groupWidth ?? 0.7) : (options.barWidth ?? 0.8));
    const thick = group / Math.max(1, series.length);
    const every = Math.max(1, Math.ceil((across ? 16 : label + 8) / slot));
    const at = (v) => ((v - low) / span) * (across ? plot.w : plot.h);
    rows.forEach((i, k) => {
      const start = k * slot + (slot - group) / 2;
      series.forEach((s, j) => {
        const v = s.values[i];
        if (v == null) return;
        const from = Math.min(at(0), at(v)), size = Math.max(1, Math.abs(at(v) - at(0)));
        const box = across ? { x: plot.x + from, y: plot.y + start + j * thick, width: size, height: thick }
          : { x: plot.x + start + j * thick, y: plot.y + plot.h - from - size, width: thick, height: size };
        svg.append(svgNode("rect", { ...box, fill: alpha(shades[j], 0.8), stroke: shades[j] }));
      });
      if (k % every) return;
      const text = svgNode("text", across
        ? { x: plot.x - 6, y: Math.max(12, plot.y + k * slot + slot / 2 + 4), fill: MUTED, "text-anchor": "end", "font-size": 12 }
        : { x: plot.x + k * slot + slot / 2, y: h - 6, fill: MUTED, "text-anchor": "middle", "font-size": 12 });
      text.textContent = timeLabel(data.time[i]);
      svg.append(text);
    });
    for (const v of [low, top]) {
      const text = svgNode("text", across ? { x: plot.x + at(v), y: h - 6, fill: MUTED, "font-size": 12,
        "text-anchor": v === top ? "end" : "start" } : { x: plot.x - 6, y: plot.y + plot.h - at(v) + 4, fill: MUTED,
        "font-size": 12, "text-anchor": "end" });
      text.textContent = format(v, config.unit, config.decimals);
      svg.append(text);
    }
    area.append(svg);
  }
  function table(body, panel, data, config) {
    const wrap = el("div", "table-wrap");
    const keys = [...new Set(data.series.flatMap((s) => Object.keys(s.labels)))].sort();
    const grid = el("table");
    const head = el("tr");
    for (const key of keys.concat(["Value"])) head.append(el("th", "", key));
    grid.append(head);
    for (const item of reduced(panel, data)) {
      const row = el("tr");
      const labels = (data.series.find((s) => s.name === item.name) || { labels: {} }).labels;
      for (const key of keys) row.append(el("td", "", labels[key] ?? ""));
      const shown = display(item.value, config);
      row.append(el("td", "number", shown.text));
      grid.append(row);
    }
    wrap.append(grid);
    body.append(wrap);
  }

  /* ---- heatmap and state timeline: cells drawn on uPlot's time axis ---- */
  function heatmap(body, panel, data, config) {
    const buckets = data.series;
    const step = data.time.length > 1 ? data.time[1] - data.time[0] : 60;
    const peak = Math.max(1e-12, ...buckets.flatMap((b) => b.values.filter((v) => v != null)));
    const scheme = (((panel.options || {}).color) || {});
    const exponent = scheme.scale === "exponential" ? (scheme.exponent ?? 0.5) : 1;
    const ramp = (share) => `hsl(28, 95%, ${Math.round(12 + 58 * Math.pow(share, exponent))}%)`;
    const gap = (panel.options || {}).cellGap ?? 1;
    const area = withChartArea(body, null);
    const yConfig = Object.assign({}, config, { unit: (((panel.options || {}).yAxis) || {}).unit || config.unit });
    const labels = buckets.map((b) => (b.labels.le === "+Inf" ? "+Inf" : format(parseFloat(b.labels.le), yConfig.unit,
      yConfig.decimals)));
    chart(area, {
      series: [{}, { show: false }], scales: { x: { time: true }, y: { range: [0, Math.max(1, buckets.length)] } },
      axes: [timeAxis(), { stroke: MUTED, font: FONT, grid: { show: false }, ticks: { show: false },
        size: 12 + Math.max(24, ...labels.map((label) => measure(label))),
        splits: () => buckets.map((b, i) => i + 1), values: (u, splits) => splits.map((v) => labels[v - 1] || "") }],
      hooks: { draw: [(u) => {
        const ctx = u.ctx;
        buckets.forEach((bucket, j) => {
          const y0 = u.valToPos(j, "y", true), y1 = u.valToPos(j + 1, "y", true);
          bucket.values.forEach((v, i) => {
            if (v == null || v <= 0) return;
            const x0 = u.valToPos(data.time[i] - step, "x", true), x1 = u.valToPos(data.time[i], "x", true);
            ctx.fillStyle = ramp(v / peak);
            const g = x1 - x0 > 4 * gap ? gap : 0;
            ctx.fillRect(x0, y1, Math.max(1, x1 - x0 - g), Math.max(1, y0 - y1 - gap));
          });
        });
      }] },
    }, [data.time, data.time.map(() => null)]);
  }
  function stateTimeline(body, panel, data, config) {
    const rows = data.series;
    const step = data.time.length > 1 ? data.time[1] - data.time[0] : 60;
    const showLegend = ((panel.options || {}).legend || {}).showLegend !== false;
    const entries = [];
    for (const mapping of config.mappings || []) {
      for (const result of Object.values(mapping.options || {})) {
        if (result && result.text) entries.push([result.text, color(result.color)]);
      }
    }
    const area = withChartArea(body, showLegend ? entries : null);
    const names = rows.map((r) => r.name);
    const height = (panel.options || {}).rowHeight ?? 0.9;
    const rowPixels = (area.clientHeight - 40) / Math.max(1, rows.length);
    const fontSize = Math.max(7, Math.min(12, Math.floor(rowPixels * 0.9)));
    const labelFont = `${fontSize}px "DejaVu Sans", sans-serif`;
    /* Grafana sizes the row axis to the longest name, whole, however much of the panel that takes (grafana#104174) */
    const room = Math.max(24, ...names.map((name) => measure(name, labelFont)));
    chart(area, {
      series: [{}, { show: false }], scales: { x: { time: true }, y: { range: [0, Math.max(1, rows.length)] } },
      axes: [timeAxis(), { stroke: TEXT, font: labelFont, grid: { show: false }, ticks: { show: false },
        size: 12 + room,
        splits: () => rows.map((r, i) => i + 0.5), values: (u, splits) => splits.map((v) => names[rows.length - 0.5 - v] || "") }],
      hooks: { draw: [(u) => {
        const ctx = u.ctx;
        ctx.font = (fontSize * devicePixelRatio) + 'px "DejaVu Sans", sans-serif';
        rows.forEach((row, j) => {
          const slot = rows.length - 1 - j;
          const yTop = u.valToPos(slot + 0.5 + height / 2, "y", true), yBottom = u.valToPos(slot + 0.5 - height / 2, "y", true);
          let start = 0;
          for (let i = 1; i <= row.values.length; i += 1) {
            if (i < row.values.length && row.values[i] === row.values[start]) continue;
            const value = row.values[start];
            if (value != null) {
              const shown = display(value, config);
              const x0 = u.valToPos(data.time[start] - step / 2, "x", true);
              const x1 = u.valToPos(data.time[i - 1] + step / 2, "x", true);
              const left = Math.max(u.bbox.left, x0), right = Math.min(u.bbox.left + u.bbox.width, x1);
              ctx.fillStyle = alpha(shown.color, ((config.custom || {}).fillOpacity ?? 70) / 100);
              ctx.fillRect(left, yTop, Math.max(1, right - left), yBottom - yTop);
              if (rowPixels >= 14 && ctx.measureText(shown.text).width + 8 < right - left) {
                ctx.fillStyle = "#fff";
                ctx.textAlign = "center"; ctx.textBaseline = "middle";
                ctx.fillText(shown.text, (left + right) / 2, (yTop + yBottom) / 2);
              }
            }
            start = i;
          }
        });
      }] },
    }, [data.time, data.time.map(() => null)]);
  }

  function text(body, panel) {
    const box = el("div", "text");
    box.innerHTML = panel.html || "";  /* markdown rendered by obsgen with raw HTML disabled */
    body.append(box);
  }

  const DRAW = { timeseries, stat, gauge, barchart, table, heatmap, "state-timeline": stateTimeline };

  /* ---- the page ---- */
  function header() {
    const bar = el("div", "topbar");
    const crumbs = el("div", "crumbs");
    crumbs.append(el("span", "folder", spec.folder + " › "), el("span", "", spec.title));
    if (spec.view) crumbs.append(el("span", "folder", " › View panel"));  /* Grafana's breadcrumb in view mode */
    bar.append(crumbs, el("span", "pill range", spec.rangeText), el("span", "pill", "refresh " + (spec.refresh || "off")));
    if (spec.live) bar.append(el("span", "pill live", "live"));
    document.body.append(bar);
    if (spec.note) document.body.append(el("div", "note", spec.note));
    const variables = el("div", "variables");
    for (const variable of spec.variables) {
      const box = el("div", "variable");
      box.append(el("span", "name", variable.label), el("span", "", variable.value));
      variables.append(box);
    }
    document.body.append(variables);
  }
  function drawBody(section, panel) {
    const body = section.querySelector(".body");
    body.replaceChildren();
    section.querySelector(".problem")?.remove();
    if (panel.type === "text") return text(body, panel);
    const draw = DRAW[panel.type];
    if (!draw) { body.append(el("div", "no-data unsupported", `Panel type ${panel.type} is not drawn by the preview`)); return; }
    const data = spec.data[String(panel.id)] || { time: [], series: [], errors: [] };
    if (data.errors.length) {
      const problem = el("span", "problem", "!");
      problem.title = data.errors.join("\n");
      const head = section.querySelector("header");
      head.insertBefore(problem, head.querySelector(".changed-badge"));  /* left of a "changed" badge, both in the header */
    }
    const hasValues = data.series.some((s) => s.values.some((v) => v != null));
    if (!hasValues) {
      body.append(el("div", data.errors.length ? "error-text" : "no-data", data.errors.length ? data.errors.join("\n") : "No data"));
      return;
    }
    draw(body, panel, data, ((panel.fieldConfig || {}).defaults) || {});
  }
  const sections = [];
  function layout() {
    const grid = el("div", "grid");
    document.body.append(grid);
    const width = grid.clientWidth;
    let bottom = 0;
    for (const panel of spec.panels) {
      const box = place(panel.gridPos, width);
      bottom = Math.max(bottom, box.top + box.height);
      if (panel.type === "row") {
        const row = el("div", "row-header", (panel.collapsed ? "▸ " : "▾ ") + (panel.title || ""));
        Object.assign(row.style, { left: box.left + "px", top: box.top + "px", width: box.width + "px", height: box.height + "px" });
        grid.append(row);
        continue;
      }
      const section = el("section", "panel" + (spec.highlight.includes(panel.id) ? " changed" : ""));
      section.dataset.panelId = String(panel.id);
      Object.assign(section.style, { left: box.left + "px", top: box.top + "px", width: box.width + "px", height: box.height + "px" });
      const head = el("header");
      head.append(el("h2", "", panel.title || ""));
      if (panel.description) { const info = el("span", "info", "i"); info.title = panel.description; head.append(info); }
      const timeInfo = (spec.data[String(panel.id)] || {}).timeInfo;
      if (timeInfo) head.append(timeItem(timeInfo));
      if (spec.highlight.includes(panel.id)) head.append(el("span", "changed-badge", "changed"));
      section.append(head, el("div", "body"));
      grid.append(section);
      sections.push([section, panel]);
    }
    grid.style.height = bottom + "px";
  }
  function drawAll() {
    while (charts.length) charts.pop().destroy();
    for (const [section, panel] of sections) drawBody(section, panel);
  }
  function afterPaint() { return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))); }

  function connect() {
    let updates = 0;
    window.previewPushes = [];  /* when each push left the server and when it was drawn (Unix seconds) */
    const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + spec.live.path);
    socket.onmessage = async (event) => {
      const message = JSON.parse(event.data);
      /* Recorded in the same task that changes the page, so whoever sees the new value also sees its push. */
      const push = { sent: message.sent, drawn: null };
      window.previewPushes.push(push);
      spec.data = message.data;
      spec.rangeText = message.rangeText;
      document.querySelector(".range").textContent = message.rangeText;
      drawAll();
      await afterPaint();
      push.drawn = Date.now() / 1000;
      updates += 1;
      document.documentElement.dataset.updates = String(updates);
    };
    socket.onclose = () => { document.documentElement.dataset.live = "closed"; };
  }

  header();
  layout();
  drawAll();
  window.previewRendered = afterPaint().then(() => { document.documentElement.dataset.rendered = "true"; return true; });
  if (spec.live) connect();
})();
