import Scripting
import Simulation

/// Pieces every debrief page shares: escaping, numbers as SVG wants them, the page's frame with
/// its inline style (light and dark themes, A4 print) and script. Pure functions of their input,
/// so a page's bytes depend on nothing but the session.
enum ReportHTML {
    /// Text for an element or an attribute value.
    static func escape(_ text: String) -> String {
        JUnitGradeReport.escape(text, quotes: true).replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A coordinate with one decimal, the same on every machine and locale.
    static func number(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    static func percent(_ value: Double) -> String { number(value * 100) + "%" }

    /// `1h30m`, `4m20s`, `45s`.
    static func duration(_ span: SimTime) -> String { Span.describe(span) }

    static func page(title: String, body: [String]) -> String {
        var lines = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                     "<meta name=\"generator\" content=\"firedrill report\">",
                     "<title>\(escape(title))</title>", "<style>", style, "</style>", "</head>", "<body>"]
        lines += body
        lines += ["<script>", script, "</script>", "</body>", "</html>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Light by default, dark when the reader's system asks; printing uses the light colours on A4.
    static let style = """
    :root { --bg: #ffffff; --fg: #1d232a; --muted: #5d6670; --grid: #d9dee3; --panel: #f4f6f8; --alert: #d7263d; --warn: #e69500;
      --s0: #1f77b4; --s1: #d62728; --s2: #2ca02c; --s3: #9467bd; --s4: #ff7f0e; --s5: #17becf; --s6: #8c564b;
      --command: #1f5fbf; --hint: #b8860b; --status: #6a3d9a; --step: #2e8b57; --inject: #c0392b; --reference: #555f6b; --pass: #2e8b57; --fail: #c0392b; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #14181c; --fg: #e4e8ec; --muted: #9aa4ae; --grid: #333b44; --panel: #1d2329; --alert: #ff5c6c; --warn: #ffb84d;
        --s0: #5fa8ff; --s1: #ff6b6b; --s2: #6bdc6b; --s3: #c39bff; --s4: #ffa94d; --s5: #4de0ee; --s6: #d7a98c;
        --command: #7fb0ff; --hint: #f0c04a; --status: #c9a0ff; --step: #6bdc9b; --inject: #ff7b6b; --reference: #aeb8c2; --pass: #6bdc9b; --fail: #ff7b6b; }
    }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: var(--bg); color: var(--fg);
      font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
    a { color: var(--command); }
    .meta, .muted { color: var(--muted); } .score { font-size: 1.3rem; font-weight: 600; }
    svg { width: 100%; height: auto; display: block; } svg text { fill: var(--muted); font-size: 11px; }
    .grid { stroke: var(--grid); stroke-width: 1; } .series { fill: none; stroke-width: 1.5; }
    .s0 { stroke: var(--s0); color: var(--s0); } .s1 { stroke: var(--s1); color: var(--s1); } .s2 { stroke: var(--s2); color: var(--s2); }
    .s3 { stroke: var(--s3); color: var(--s3); } .s4 { stroke: var(--s4); color: var(--s4); } .s5 { stroke: var(--s5); color: var(--s5); }
    .s6 { stroke: var(--s6); color: var(--s6); }
    .band { fill: var(--alert); opacity: .75; } .band.warning { fill: var(--warn); } .shade { fill: var(--alert); opacity: .1; }
    .marker { cursor: pointer; } .marker:hover, .marker:focus { stroke: var(--fg); stroke-width: 2; }
    .marker.command { fill: var(--command); } .marker.hint { fill: var(--hint); } .marker.status { fill: var(--status); }
    .marker.step { fill: var(--step); } .marker.inject { fill: var(--inject); } .marker.reference { fill: var(--reference); }
    .marker.failed { fill: var(--bg); stroke: var(--command); stroke-width: 1.5; }
    .legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: .25rem 0; font-size: .9rem; }
    .legend span::before { content: ""; display: inline-block; width: .9em; height: .3em; margin-right: .35em; vertical-align: middle; background: currentColor; }
    table { border-collapse: collapse; width: 100%; font-size: .92rem; }
    th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--grid); vertical-align: top; }
    th[data-sort] { cursor: pointer; user-select: none; } th[data-sort]:hover { text-decoration: underline; }
    td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
    .pass { color: var(--pass); } .partial { color: var(--hint); } .fail { color: var(--fail); }
    details { border-left: 3px solid var(--grid); margin: .2rem 0; padding: .1rem .6rem; background: var(--panel); }
    details.command { border-color: var(--command); } details.hint { border-color: var(--hint); } details.status { border-color: var(--status); }
    details.step { border-color: var(--step); } details.inject { border-color: var(--inject); } details.reference { border-color: var(--reference); }
    details:target { outline: 2px solid var(--command); }
    summary { cursor: pointer; } summary code { white-space: pre-wrap; }
    pre { margin: .3rem 0; padding: .4rem; overflow-x: auto; font-size: .82rem; background: var(--bg); border: 1px solid var(--grid); }
    .kind { display: inline-block; min-width: 4.5em; font-size: .8rem; color: var(--muted); }
    .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; } .columns > div { min-width: 0; }
    @media (max-width: 800px) { .columns { grid-template-columns: 1fr; } }
    @page { size: A4; margin: 14mm; }
    @media print {
      :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --panel: #ffffff; }
      body { max-width: none; padding: 0; font-size: 10pt; } section { break-inside: avoid-page; }
      details { break-inside: avoid; } pre { white-space: pre-wrap; font-size: 7.5pt; } .columns { grid-template-columns: 1fr 1fr; }
    }
    """

    /// Markers open their entry; headers sort their table; printing opens every entry.
    static let script = """
    (function () {
      function openTarget() {
        var id = decodeURIComponent(location.hash.slice(1));
        var target = id && document.getElementById(id);
        if (target && target.tagName === "DETAILS") { target.open = true; }
      }
      window.addEventListener("hashchange", openTarget);
      openTarget();
      window.addEventListener("beforeprint", function () {
        document.querySelectorAll("details").forEach(function (d) { d.open = true; });
      });
      document.querySelectorAll("table.sortable th[data-sort]").forEach(function (th, column) {
        th.addEventListener("click", function () {
          var table = th.closest("table"), body = table.tBodies[0];
          var index = Array.prototype.indexOf.call(th.parentNode.children, th);
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var numeric = th.getAttribute("data-sort") === "number";
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[index].getAttribute("data-value") || a.cells[index].textContent;
            var y = b.cells[index].getAttribute("data-value") || b.cells[index].textContent;
            var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y);
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    })();
    """
}
