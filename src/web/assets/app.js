// oclhub pages: progressive enhancement only. Every page works without this file; with it, the
// compliance matrix gets a text filter and arrow-key navigation, and tables marked data-sortable sort.
(function () {
  'use strict';

  function text(el) {
    return (el.textContent || '').trim().toLowerCase();
  }

  // A text filter over the matrix rows: a project row and its tenant rows stay together.
  function setUpFilter() {
    var box = document.getElementById('matrix-filter-box');
    var input = document.getElementById('matrix-filter');
    var table = document.getElementById('matrix');
    if (!box || !input || !table) return;
    box.hidden = false;
    var status = document.getElementById('matrix-filter-status');
    input.addEventListener('input', function () {
      var wanted = input.value.trim().toLowerCase();
      var shown = 0;
      table.querySelectorAll('tbody').forEach(function (group) {
        var visibleInGroup = 0;
        group.querySelectorAll('tr[data-project]').forEach(function (row) {
          var match = wanted === '' || (row.getAttribute('data-search') || '').indexOf(wanted) >= 0;
          row.hidden = !match;
          if (match && !row.classList.contains('tenant')) shown++;
          if (match) visibleInGroup++;
        });
        var heading = group.querySelector('tr.group-row');
        if (heading) heading.hidden = visibleInGroup === 0;
      });
      if (status) status.textContent = wanted === '' ? '' : shown + (shown === 1 ? ' project matches' : ' projects match');
    });
  }

  // Arrow keys move between the matrix's cell links (Tab still walks them in order).
  function setUpMatrixKeys() {
    var table = document.getElementById('matrix');
    if (!table) return;
    table.addEventListener('keydown', function (event) {
      var keys = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      var move = keys[event.key];
      var cell = event.target && event.target.closest ? event.target.closest('td') : null;
      if (!move || !cell) return;
      var rows = Array.prototype.filter.call(table.querySelectorAll('tbody tr'), function (r) {
        return !r.hidden && r.querySelector('td');
      });
      var row = cell.parentElement;
      var r = rows.indexOf(row);
      var c = Array.prototype.indexOf.call(row.querySelectorAll('td'), cell);
      var link = null;
      if (move[0] === 0) {
        var cells = row.querySelectorAll('td');
        for (var x = c + move[1]; !link && x >= 0 && x < cells.length; x += move[1]) link = cells[x].querySelector('a');
      } else {
        for (var y = r + move[0]; !link && y >= 0 && y < rows.length; y += move[0]) {
          var td = rows[y].querySelectorAll('td')[c];
          link = td ? td.querySelector('a') : null;
        }
      }
      if (link) {
        event.preventDefault();
        link.focus();
      }
    });
  }

  // Sortable tables: a button in each header cell; aria-sort says the current order.
  function setUpSorting() {
    document.querySelectorAll('table[data-sortable]').forEach(function (table) {
      var headers = table.querySelectorAll('thead th');
      var body = table.tBodies[0];
      if (!body) return;
      headers.forEach(function (th, index) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'sort-button';
        button.textContent = th.textContent;
        th.textContent = '';
        th.appendChild(button);
        button.addEventListener('click', function () {
          var ascending = th.getAttribute('aria-sort') !== 'ascending';
          headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
          th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[index] ? (a.cells[index].getAttribute('data-sort') || text(a.cells[index])) : '';
            var y = b.cells[index] ? (b.cells[index].getAttribute('data-sort') || text(b.cells[index])) : '';
            var order = x.localeCompare(y, undefined, { numeric: true });
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }

  function start() {
    setUpFilter();
    setUpMatrixKeys();
    setUpSorting();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
