// The lobby display: lays the boards' tables out in screen-sized pages,
// rotates through the pages, and refetches the figures every minute. A new
// layout is built off-screen and swapped in only when a board changed, so the
// screen never flickers. When the server refuses the figures (401/403: the
// display link was revoked or the login ended) the board makes way for the
// same "denied" message the page itself would show.
(function () {
  "use strict";

  const stage = document.getElementById("lobby-stage");
  const current = document.getElementById("lobby-current");
  const pageLabel = document.getElementById("lobby-page");
  const clock = document.getElementById("lobby-clock");
  const updated = document.getElementById("lobby-updated");
  const minimum = document.getElementById("lobby-minimum");
  const dataUrl = stage.dataset.url;
  const refreshMs = Number(stage.dataset.refresh || 60) * 1000;
  const rotateMs = Number(stage.dataset.rotate || 15) * 1000;

  let boards = JSON.parse(document.getElementById("lobby-initial").textContent);
  let signature = signatureOf(boards);
  let pages = [];
  let index = 0;
  let denied = false;
  const timers = [];

  function signatureOf(list) {
    return JSON.stringify(list.map((b) => [b.id, b.version]));
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const COLUMNS = [
    ["c-rank", "rank", "名次"],
    ["c-unit", "unit", "单位"],
    ["c-num", "", "接件量"],
    ["c-num", "", "办结量"],
    ["c-rate", "", "响应率"],
    ["c-rate", "", "解决率"],
    ["c-rate", "", "满意率"],
    ["c-score", "", "综合成绩"],
    ["c-change", "", "升降"],
  ];

  function changeCell(change) {
    const td = el("td", "change");
    if (change === null || change === undefined) return td;
    if (change > 0) td.appendChild(el("span", "change-up", "▲" + change));
    else if (change < 0) td.appendChild(el("span", "change-down", "▼" + -change));
    else td.textContent = "–";
    return td;
  }

  function rowElement(row) {
    const tr = el("tr", "band-" + (row.band || "none"));
    tr.appendChild(el("td", "rank", row.rank === null ? "—" : row.rank));
    const unit = el("td", "unit", row.unit);
    unit.title = row.unit;
    tr.appendChild(unit);
    const received = el("td", "", row.received);
    if (row.received_excluded) received.appendChild(el("span", "excluded", "(核减" + row.received_excluded + ")"));
    tr.appendChild(received);
    tr.appendChild(el("td", "", row.closed));
    tr.appendChild(el("td", "", row.response_rate));
    tr.appendChild(el("td", "", row.resolution_rate));
    tr.appendChild(el("td", "", row.satisfaction_rate));
    tr.appendChild(el("td", "score", row.score));
    tr.appendChild(changeCell(row.rank_change));
    return tr;
  }

  function blockElement(board, table, rows, continued) {
    const block = el("section", "lobby-block");
    const caption = el("h2", "lobby-block-caption", board.kind_label + " · " + table.label + "排名" + (continued ? "（续）" : ""));
    caption.appendChild(el("small", "", board.label));
    block.appendChild(caption);
    const t = el("table", "lobby-table");
    const colgroup = el("colgroup");
    COLUMNS.forEach(([cls]) => colgroup.appendChild(el("col", cls)));
    t.appendChild(colgroup);
    const head = el("tr");
    COLUMNS.forEach(([, cls, label]) => head.appendChild(el("th", cls, label)));
    t.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    if (rows.length === 0) {
      const tr = el("tr", "band-none");
      const td = el("td", "unit", "暂无单位");
      td.colSpan = COLUMNS.length;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    rows.forEach((row) => body.appendChild(rowElement(row)));
    t.appendChild(body);
    block.appendChild(t);
    block.dataset.caption = board.kind_label + " · " + table.label;
    return block;
  }

  // Measures the height of a block's caption + header and of one row on this screen.
  function measure(sample) {
    const probe = el("div", "lobby-measure");
    stage.appendChild(probe);
    const block = blockElement(sample.board, sample.table, sample.table.rows.slice(0, 2), false);
    probe.appendChild(block);
    const rows = block.querySelectorAll("tbody tr");
    const rowHeight = rows.length > 1 ? rows[1].getBoundingClientRect().top - rows[0].getBoundingClientRect().top : rows[0].getBoundingClientRect().height * 1.1;
    const fixed = block.getBoundingClientRect().height - rows.length * rowHeight;
    const available = probe.getBoundingClientRect().height;
    const gap = parseFloat(getComputedStyle(probe).fontSize) || 16;
    stage.removeChild(probe);
    return { rowHeight: Math.max(rowHeight, 1), fixed: fixed + gap, available: available };
  }

  // Packs every table into pages that fit the screen: small tables share a
  // page, a long table continues on the next page.
  function layout(list) {
    const tables = [];
    list.forEach((board) => board.tables.forEach((table) => tables.push({ board, table })));
    if (tables.length === 0) {
      const page = el("div", "lobby-page");
      page.appendChild(el("p", "lobby-empty", "榜单尚未生成。"));
      return [page];
    }
    const sample = tables.find((t) => t.table.rows.length > 1) || tables[0];
    const m = measure(sample);
    const result = [];
    let page = el("div", "lobby-page");
    let used = 0;
    const flush = () => {
      if (page.childNodes.length) result.push(page);
      page = el("div", "lobby-page");
      used = 0;
    };
    tables.forEach(({ board, table }) => {
      let start = 0;
      const total = Math.max(table.rows.length, 1);
      while (start < total) {
        const room = Math.floor((m.available - used - m.fixed) / m.rowHeight);
        const left = total - start;
        if (room < Math.min(3, left) && used > 0) {
          flush();
          continue;
        }
        const take = Math.max(1, Math.min(room, left));
        page.appendChild(blockElement(board, table, table.rows.slice(start, start + take), start > 0));
        used += m.fixed + take * m.rowHeight;
        start += take;
        if (start < total) flush();
      }
    });
    flush();
    return result;
  }

  function show(i) {
    if (!pages.length) return;
    index = i % pages.length;
    pages.forEach((p, n) => p.classList.toggle("active", n === index));
    const captions = Array.from(pages[index].querySelectorAll(".lobby-block")).map((b) => b.dataset.caption);
    current.textContent = Array.from(new Set(captions)).join("，");
    pageLabel.textContent = pages.length > 1 ? "第 " + (index + 1) + " / " + pages.length + " 屏" : "";
  }

  function render() {
    const built = layout(boards);
    const fragment = document.createDocumentFragment();
    built.forEach((p) => fragment.appendChild(p));
    // Swap in one step: the old pages stay up until the new ones are complete.
    Array.from(stage.querySelectorAll(".lobby-page, noscript")).forEach((node) => node.remove());
    stage.appendChild(fragment);
    pages = built;
    show(Math.min(index, pages.length - 1));
    const times = boards.map((b) => b.computed_at).sort();
    updated.textContent = times.length ? "数据计算于 " + times[times.length - 1] : "";
    const min = boards.length ? boards[0].min_valid_callbacks : null;
    minimum.textContent = min ? "（少于" + min + "件）" : "";
  }

  // No figure may stay on a screen whose access was withdrawn.
  function deny() {
    if (denied) return;
    denied = true;
    timers.forEach((id) => clearInterval(id));
    const template = document.getElementById("lobby-denied-template");
    document.body.replaceChildren(template.content.cloneNode(true));
  }

  async function refresh() {
    if (denied) return;
    try {
      const response = await fetch(dataUrl, { cache: "no-store", credentials: "same-origin" });
      if (response.status === 401 || response.status === 403) {
        deny();
        return;
      }
      if (!response.ok) return;
      const data = await response.json();
      const next = signatureOf(data.boards);
      if (next !== signature) {
        boards = data.boards;
        signature = next;
        render();
      }
    } catch (error) {
      // The network may drop for a moment: keep showing the last board.
    }
  }

  function tick() {
    const now = new Date();
    clock.textContent = now.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit" });
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    if (!denied) resizeTimer = setTimeout(render, 300);
  });

  render();
  tick();
  timers.push(setInterval(tick, 15000));
  timers.push(setInterval(() => show(index + 1), rotateMs));
  timers.push(setInterval(refresh, refreshMs));
  window.lobbyBoard = { refresh: refresh, pages: () => pages.length, show: show, denied: () => denied };
})();
