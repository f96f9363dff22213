(function () {
  "use strict";
  var table = document.getElementById("clips");
  if (!table) { return; }
  var headers = table.querySelectorAll("th[data-sort]");
  function key(row, column, numeric) {
    var cell = row.children[column];
    var value = cell ? cell.getAttribute("data-key") : "";
    if (value === null) { value = cell.textContent.trim(); }
    if (!numeric) { return value.toLowerCase(); }
    return value === "" ? NaN : parseFloat(value);
  }
  function sortBy(th) {
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column, numeric), y = key(b, column, numeric);
      if (numeric) {
        if (isNaN(x) && isNaN(y)) { return 0; }
        if (isNaN(x)) { return 1; }
        if (isNaN(y)) { return -1; }
        return ascending ? x - y : y - x;
      }
      var order = x.localeCompare(y, undefined, { numeric: true });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  headers.forEach(function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () { sortBy(th); });
  });
})();
