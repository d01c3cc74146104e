// The monitoring dashboard's charts (ECharts): the map of Chongqing's districts
// coloured by a chosen indicator (click a district to open its dashboard), the status
// mix and insurance by the regions under this one, and the monthly flows. The data
// come from the page's JSON block; the tables beside each chart hold the same figures.
(function () {
  'use strict';
  var block = document.getElementById('dash-data');
  if (!block || typeof echarts === 'undefined') { return; }
  var data = JSON.parse(block.textContent);
  var charts = [];

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el, null, { renderer: 'canvas' });
    charts.push(c);
    return c;
  }

  // --- the map ---
  var indicators = {
    persons: { label: '人员底数', value: function (d) { return d.persons; } },
    local: { label: '市内就业', value: function (d) { return d.local; } },
    outside: { label: '市外就业', value: function (d) { return d.outside; } },
    unemployed: { label: '失业', value: function (d) { return d.unemployed; } },
    insured_none: { label: '未参保', value: function (d) { return d.insured_none; } }
  };
  var mapChart = chart('map');
  var select = document.getElementById('map-indicator');
  function drawMap() {
    if (!mapChart) { return; }
    var ind = indicators[select ? select.value : 'persons'] || indicators.persons;
    var values = data.map.map(function (d) {
      return { name: d.name, value: ind.value(d), code: d.code, selected: d.code === data.region.slice(0, 6) && data.level > 1 };
    });
    var max = values.reduce(function (m, v) { return Math.max(m, v.value); }, 0);
    mapChart.setOption({
      tooltip: { trigger: 'item', formatter: function (p) { return p.name + '<br>' + ind.label + '：' + (isNaN(p.value) ? '无权查看' : p.value); } },
      visualMap: { min: 0, max: Math.max(max, 1), left: 'left', bottom: 10, text: ['高', '低'], calculable: true,
        inRange: { color: ['#eef5fb', '#2b6cb0'] } },
      series: [{ type: 'map', map: 'chongqing', roam: false, selectedMode: false, data: values,
        label: { show: false }, emphasis: { label: { show: true } } }]
    });
  }
  if (mapChart) {
    fetch('/static/geo/chongqing.json').then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap('chongqing', geo);
      drawMap();
      mapChart.on('click', function (p) {
        if (p.data && p.data.code) { window.location.href = '/monitoring?region=' + p.data.code; }
      });
      document.getElementById('map').setAttribute('data-ready', '1');
    });
    if (select) { select.addEventListener('change', drawMap); }
  }

  // --- status and insurance by region ---
  function stacked(id, view) {
    var c = chart(id);
    if (!c || !view.items.length) { return; }
    var names = view.items.map(function (r) { return r.name; });
    var series = view.items[0].counts.map(function (k, i) {
      return { name: k.label, type: 'bar', stack: 'n', data: view.items.map(function (r) { return r.counts[i].n; }) };
    });
    c.setOption({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 90 },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 60, interval: 0 } },
      yAxis: { type: 'value' },
      series: series
    });
  }
  stacked('status-chart', data.status);
  stacked('insurance-chart', data.insurance);

  // --- flows ---
  var flows = chart('flows-chart');
  if (flows) {
    var months = data.flows.months;
    var line = function (name, key) {
      return { name: name, type: 'line', smooth: true, data: months.map(function (m) { return m[key]; }) };
    };
    flows.setOption({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: months.map(function (m) { return m.month; }) },
      yAxis: { type: 'value' },
      series: [line('返乡', 'returned'), line('外出务工', 'departed'), line('新增就近就业', 'near_home_new'),
        line('新增失业', 'became_unemployed')]
    });
  }

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
