// The namespace traffic graph: polls /api/namespaces/graph, draws it with Cytoscape.js, labels each edge with its
// share of the source's requests and its requests per second, colours edges by error rate, and shows the
// selected element's rates in the side panel. Every drawn label is mirrored into the tables under the graph.
(function () {
  'use strict';

  var REFRESH_MS = 3000;
  var FAILING_PERCENT = 5;    // an edge with at least this share of errors is drawn red
  var DEGRADED_PERCENT = 0.1; // ... and orange above this

  var params = new URLSearchParams(window.location.search);
  var form = document.getElementById('controls');
  var status = document.getElementById('status');
  ['namespace', 'graphType', 'duration'].forEach(function (name) {
    var value = params.get(name) || (name === 'namespace' ? params.get('namespaces') : null);
    if (value) { document.getElementById(name).value = value; }
  });

  var cy = cytoscape({
    container: document.getElementById('cy'),
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: {
        'label': 'data(label)', 'text-valign': 'bottom', 'text-margin-y': 4, 'font-size': 11,
        'text-wrap': 'wrap', 'background-color': '#0969da', 'width': 26, 'height': 26 } },
      { selector: 'node[nodeType = "service"]', style: { 'shape': 'triangle', 'background-color': '#8250df' } },
      { selector: 'node[nodeType = "unknown"]', style: { 'background-color': '#6e7781' } },
      { selector: 'node[?isOutside]', style: { 'background-color': '#57606a', 'shape': 'round-rectangle' } },
      { selector: 'edge', style: {
        'label': 'data(label)', 'font-size': 10, 'text-wrap': 'wrap', 'text-background-color': '#fff',
        'text-background-opacity': 0.85, 'text-background-padding': 2, 'curve-style': 'bezier',
        'target-arrow-shape': 'triangle', 'width': 2, 'line-color': '#2da44e', 'target-arrow-color': '#2da44e' } },
      { selector: 'edge[health = "degraded"]', style: { 'line-color': '#d4a72c', 'target-arrow-color': '#d4a72c' } },
      { selector: 'edge[health = "failing"]', style: { 'line-color': '#cf222e', 'target-arrow-color': '#cf222e',
        'color': '#cf222e' } },
      { selector: ':selected', style: { 'border-width': 3, 'border-color': '#1b1f24', 'width': 4 } }
    ]
  });

  var selectedId = null;
  var shape = '';
  var timer = null;

  function number(value) { var n = parseFloat(value); return isNaN(n) ? 0 : n; }

  function nodeLabel(d) {
    if (d.nodeType === 'service') { return d.service; }
    if (d.nodeType === 'unknown') { return 'unknown'; }
    var name = d.nodeType === 'app' ? d.app : d.workload;
    return d.version && d.nodeType === 'app' ? name + '\n' + d.version : name;
  }

  function edgeFacts(d) {
    var p = d.traffic.protocol;
    var r = d.traffic.rates || {};
    var rps = p === 'tcp' ? number(r.tcp) : number(r[p]);
    var share = p === 'tcp' ? null : number(r[p + 'PercentReq']);
    var err = p === 'tcp' ? 0 : number(r[p + 'PercentErr']);
    return { protocol: p, rps: rps, share: share, err: err };
  }

  function edgeLabel(f) {
    if (f.protocol === 'tcp') { return f.rps.toFixed(0) + ' B/s'; }
    return Math.round(f.share) + '%\n' + f.rps.toFixed(2) + ' rps';
  }

  function health(f) {
    if (f.err >= FAILING_PERCENT) { return 'failing'; }
    if (f.err > DEGRADED_PERCENT) { return 'degraded'; }
    return 'healthy';
  }

  function toElements(graph) {
    var nodes = graph.elements.nodes.map(function (n) {
      var d = Object.assign({}, n.data);
      d.label = nodeLabel(d);
      return { group: 'nodes', data: d };
    });
    var edges = graph.elements.edges.map(function (e) {
      var d = Object.assign({}, e.data);
      var f = edgeFacts(d);
      d.label = edgeLabel(f);
      d.health = health(f);
      return { group: 'edges', data: d };
    });
    return nodes.concat(edges);
  }

  function render(graph) {
    var elements = toElements(graph);
    var newShape = elements.map(function (e) { return e.data.id; }).sort().join('|');
    if (newShape !== shape) {
      cy.elements().remove();
      cy.add(elements);
      cy.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.3,
        roots: cy.nodes('[?isRoot]').length ? cy.nodes('[?isRoot]') : undefined, padding: 30 }).run();
      shape = newShape;
    } else {
      elements.forEach(function (e) { cy.getElementById(e.data.id).data(e.data); });
    }
    if (selectedId && cy.getElementById(selectedId).nonempty()) {
      cy.getElementById(selectedId).select();
      showPanel(cy.getElementById(selectedId));
    }
    mirror();
  }

  // The drawn labels, as text a person (or a test) can read without the canvas.
  function mirror() {
    var rows = document.getElementById('edge-labels');
    rows.textContent = '';
    cy.edges().forEach(function (edge) {
      var d = edge.data();
      var f = edgeFacts(d);
      var tr = document.createElement('tr');
      tr.className = d.health;
      tr.dataset.edgeId = d.id;
      tr.dataset.source = d.source;
      tr.dataset.target = d.target;
      tr.dataset.label = d.label.replace('\n', ' ');
      [cy.getElementById(d.source).data('label'), cy.getElementById(d.target).data('label'),
        f.share === null ? '' : Math.round(f.share) + '%', f.rps.toFixed(2), f.err.toFixed(1) + '%',
        d.responseTime + ' ms', d.isMTLS + '%'].forEach(function (text, i) {
        var td = document.createElement('td');
        td.textContent = String(text).replace('\n', ' ');
        if (i >= 2) { td.className = 'num'; }
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    var list = document.getElementById('node-labels');
    list.textContent = '';
    cy.nodes().forEach(function (node) {
      var li = document.createElement('li');
      li.dataset.nodeId = node.id();
      li.dataset.nodeType = node.data('nodeType');
      li.textContent = node.data('label').replace('\n', ' ') + ' (' + node.data('namespace') + ')';
      list.appendChild(li);
    });
  }

  function stat(dl, name, value) {
    var dt = document.createElement('dt');
    dt.textContent = name;
    var dd = document.createElement('dd');
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function showPanel(element) {
    var d = element.data();
    var dl = document.getElementById('panel-stats');
    dl.textContent = '';
    document.getElementById('panel-hint').textContent = '';
    if (element.isEdge()) {
      var f = edgeFacts(d);
      document.getElementById('panel-title').textContent =
        cy.getElementById(d.source).data('label').replace('\n', ' ') + ' → ' +
        cy.getElementById(d.target).data('label').replace('\n', ' ');
      stat(dl, 'protocol', f.protocol);
      stat(dl, 'requests/s', f.rps.toFixed(2));
      if (f.share !== null) { stat(dl, 'share of source', f.share.toFixed(1) + '%'); }
      stat(dl, 'success', (100 - f.err).toFixed(1) + '%');
      stat(dl, 'errors', f.err.toFixed(1) + '%');
      var r = d.traffic.rates;
      ['http3xx', 'http4xx', 'http5xx', 'httpNoResponse', 'grpcErr'].forEach(function (k) {
        if (r[k]) { stat(dl, k + ' /s', r[k]); }
      });
      stat(dl, 'p50 / p95 / p99', d.responseTimes.p50 + ' / ' + d.responseTimes.p95 + ' / ' + d.responseTimes.p99 + ' ms');
      stat(dl, 'mTLS', d.isMTLS + '%');
    } else {
      document.getElementById('panel-title').textContent = d.label.replace('\n', ' ') + ' (' + d.namespace + ')';
      stat(dl, 'type', d.nodeType);
      (d.traffic || []).forEach(function (t) {
        var r = t.rates;
        var p = t.protocol;
        if (r[p + 'In'] !== undefined) {
          var inRate = number(r[p + 'In']);
          var errRate = p === 'http' ? number(r.httpIn4xx) + number(r.httpIn5xx) + number(r.httpInNoResponse)
            : number(r.grpcInErr);
          stat(dl, p + ' in /s', inRate.toFixed(2));
          stat(dl, 'success', inRate ? (100 * (1 - errRate / inRate)).toFixed(1) + '%' : '-');
          stat(dl, 'errors', inRate ? (100 * errRate / inRate).toFixed(1) + '%' : '-');
        }
        if (r[p + 'Out'] !== undefined) { stat(dl, p + ' out /s', number(r[p + 'Out']).toFixed(2)); }
      });
    }
  }

  cy.on('tap', 'node, edge', function (event) {
    selectedId = event.target.id();
    showPanel(event.target);
  });
  cy.on('tap', function (event) {
    if (event.target === cy) {
      selectedId = null;
      document.getElementById('panel-title').textContent = 'Nothing selected';
      document.getElementById('panel-hint').textContent = 'Click a node or an edge.';
      document.getElementById('panel-stats').textContent = '';
    }
  });

  function refresh() {
    var query = new URLSearchParams({
      namespaces: document.getElementById('namespace').value.trim(),
      graphType: document.getElementById('graphType').value,
      duration: document.getElementById('duration').value
    });
    fetch('api/namespaces/graph?' + query.toString()).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || response.statusText); }
        return body;
      });
    }).then(function (graph) {
      render(graph);
      status.className = '';
      status.textContent = graph.elements.edges.length + ' edges · updated ' + new Date().toLocaleTimeString();
      document.body.dataset.ready = 'true';
    }).catch(function (e) {
      status.className = 'error';
      status.textContent = 'cannot load the graph: ' + e.message;
    }).finally(function () {
      timer = setTimeout(refresh, REFRESH_MS);
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    shape = '';
    var url = new URL(window.location.href);
    url.searchParams.set('namespace', document.getElementById('namespace').value.trim());
    url.searchParams.set('graphType', document.getElementById('graphType').value);
    url.searchParams.set('duration', document.getElementById('duration').value);
    window.history.replaceState(null, '', url);
    refresh();
  });

  refresh();
}());
