// A bar chart of counts by day, drawn as SVG in the page: bars, the largest count on the axis,
// the first and last day below; the numbers themselves in a table beside it for anyone who
// does not see the bars (the chart is one image with a summary as its name).

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 200;
const AXIS = 28; // room for the labels below and left of the bars

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  return element;
}

function text(x, y, content, anchor = 'start') {
  const label = svgElement('text', { x, y, 'text-anchor': anchor, class: 'chart-label' });
  label.textContent = content;
  return label;
}

/** M/D of a YYYY-MM-DD day. */
function shortDay(isoDate) {
  const [, month, day] = isoDate.split('-').map(Number);
  return `${month}/${day}`;
}

/**
 * Draws `days` ([{date: 'YYYY-MM-DD', count}], oldest first) into `figure`, replacing what it held.
 * @param {string} unit what is counted, for the summary (「件」)
 */
export function drawDailyChart(figure, days, { unit = '件', label = '日ごとの提出数' } = {}) {
  figure.replaceChildren();
  if (!days.length) {
    const empty = document.createElement('p');
    empty.textContent = 'まだ提出はありません。';
    figure.append(empty);
    return;
  }
  const most = Math.max(1, ...days.map((day) => day.count));
  const total = days.reduce((sum, day) => sum + day.count, 0);
  const svg = svgElement('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    class: 'chart-svg',
    'aria-label': `${label}：${shortDay(days[0].date)}から${shortDay(days[days.length - 1].date)}までに合計${total}${unit}、1日の最多は${most}${unit}`,
  });
  const plotWidth = WIDTH - AXIS;
  const plotHeight = HEIGHT - AXIS;
  const slot = plotWidth / days.length;
  const bar = Math.max(1, slot * 0.7);
  svg.append(svgElement('line', { x1: AXIS, y1: plotHeight, x2: WIDTH, y2: plotHeight, class: 'chart-axis' }));
  days.forEach((day, index) => {
    const height = (day.count / most) * (plotHeight - 8);
    const x = AXIS + index * slot + (slot - bar) / 2;
    const rect = svgElement('rect', { x, y: plotHeight - height, width: bar, height, class: 'chart-bar' });
    const tip = svgElement('title', {});
    tip.textContent = `${shortDay(day.date)}：${day.count}${unit}`;
    rect.append(tip);
    svg.append(rect);
  });
  svg.append(text(AXIS - 4, 12, String(most), 'end'), text(AXIS - 4, plotHeight, '0', 'end'));
  svg.append(text(AXIS, HEIGHT - 8, shortDay(days[0].date)));
  if (days.length > 1) {
    svg.append(text(WIDTH, HEIGHT - 8, shortDay(days[days.length - 1].date), 'end'));
  }
  figure.append(svg, numbers(days, unit));
}

function numbers(days, unit) {
  const details = document.createElement('details');
  details.className = 'hint';
  const summary = document.createElement('summary');
  summary.textContent = '数値で見る';
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['日付', `提出数（${unit}）`]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const day of days) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = shortDay(day.date);
    row.append(th);
    row.insertCell().textContent = String(day.count);
  }
  details.append(summary, table);
  return details;
}
