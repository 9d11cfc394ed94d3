// 批量录入: keyboard navigation between the cells of the grid (arrow keys, Enter), a block
// pasted from Excel (tab-separated rows) fills the grid from the focused cell, changed cells
// are marked, and only the changed cells are posted on save (the server writes them all or none).
document.addEventListener("DOMContentLoaded", function () {
  var table = document.querySelector("[data-grid]");
  var form = document.querySelector("[data-grid-form]");
  if (!table || !form) return;
  var status = form.querySelector("[data-grid-status]");
  var lang = document.documentElement.lang || "zh-CN";
  var zh = lang.indexOf("zh") === 0;

  function at(r, c) {
    return table.querySelector('input[data-r="' + r + '"][data-c="' + c + '"]');
  }
  function pos(input) {
    return [parseInt(input.dataset.r, 10), parseInt(input.dataset.c, 10)];
  }
  function mark(input) {
    input.classList.toggle("zq-changed", input.value !== input.dataset.saved);
  }
  function changedCount() {
    return table.querySelectorAll("input.zq-changed").length;
  }
  function say(text) {
    if (status) status.textContent = text;
  }
  function move(input, dr, dc) {
    var p = pos(input);
    var next = at(p[0] + dr, p[1] + dc);
    if (next) {
      next.focus();
      next.select();
      return true;
    }
    return false;
  }

  table.addEventListener("focusin", function (e) {
    if (e.target.matches("input[data-r]")) e.target.select();
  });

  table.addEventListener("input", function (e) {
    if (e.target.matches("input[data-r]")) mark(e.target);
  });

  table.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!input.matches("input[data-r]") || e.altKey || e.ctrlKey || e.metaKey) return;
    var start = input.selectionStart, end = input.selectionEnd, len = input.value.length;
    var moved = false;
    if (e.key === "ArrowUp") moved = move(input, -1, 0);
    else if (e.key === "ArrowDown") moved = move(input, 1, 0);
    else if (e.key === "Enter") moved = move(input, e.shiftKey ? -1 : 1, 0) || true;
    else if (e.key === "ArrowLeft" && start === 0 && (end === 0 || end === len)) moved = move(input, 0, -1);
    else if (e.key === "ArrowRight" && end === len && (start === len || start === 0)) moved = move(input, 0, 1);
    if (moved) e.preventDefault();
  });

  table.addEventListener("paste", function (e) {
    var input = e.target;
    if (!input.matches("input[data-r]")) return;
    var text = (e.clipboardData || window.clipboardData).getData("text");
    if (!text || (text.indexOf("\t") < 0 && text.indexOf("\n") < 0)) return; // one value: the browser pastes it
    e.preventDefault();
    var lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    var p = pos(input), filled = 0, skipped = 0;
    lines.forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var cell = at(p[0] + i, p[1] + j);
        if (!cell) { skipped += 1; return; }
        if (cell.readOnly) { skipped += 1; return; }
        cell.value = value.trim();
        mark(cell);
        filled += 1;
      });
    });
    say(zh ? ("已粘贴 " + filled + " 格" + (skipped ? "，" + skipped + " 格超出表格或已锁定未粘贴" : "") + "，请检查后保存")
           : ("Pasted " + filled + " cells" + (skipped ? ", " + skipped + " outside the grid or locked" : "") + "; check, then save"));
  });

  form.addEventListener("submit", function () {
    // only what changed is posted; a note goes with the row's values
    table.querySelectorAll("input[data-r]").forEach(function (input) {
      if (input.value === input.dataset.saved) input.disabled = true;
    });
    var n = changedCount();
    say(zh ? ("正在保存 " + n + " 格…") : ("Saving " + n + " cells…"));
  });

  window.addEventListener("pageshow", function () {
    table.querySelectorAll("input[data-r]").forEach(function (input) { input.disabled = false; });
  });
});
