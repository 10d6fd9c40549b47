'use strict';
// The saga inspector: counts (refreshed every 5 s), a filtered, paged list of sagas, and one saga's steps and
// timeline, all from the gateway's /sagas routes. Filters and the open saga live in the URL, so a view can be shared.
const $ = (selector) => document.querySelector(selector);
const FILTERS = ['status', 'order_id', 'reason', 'since', 'until'];
const FINISHED = ['COMPLETED', 'ABORTED', 'STUCK'];
const pages = [];            // cursors of the pages shown before this one ('' for the newest)
let next = null;             // the cursor of the page after this one
let openSaga = null;

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content == null ? '' : String(content);
  if (className) element.className = className;
  return element;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || (response.status + ' ' + response.statusText));
  return body;
}

function duration(ms) {
  if (ms == null) return '';
  if (ms < 1000) return ms + ' ms';
  if (ms < 120000) return (ms / 1000).toFixed(1) + ' s';
  return Math.round(ms / 60000) + ' min';
}

function utc(iso) {
  return iso ? iso.replace('T', ' ').replace('Z', '') : '';
}

async function refreshCounts() {
  try {
    const stats = await getJson('/sagas/stats');
    document.querySelectorAll('.count[data-status]').forEach((box) => {
      box.querySelector('b').textContent = stats.by_status[box.dataset.status] ?? 0;
    });
    $('#in-flight').textContent = stats.in_flight.count;
    $('#oldest').textContent = stats.in_flight.oldest_age_ms == null ? 'none' : duration(stats.in_flight.oldest_age_ms);
    const reasons = Object.entries(stats.aborted_by_reason).map(([reason, n]) => (reason || 'no reason') + ' ' + n);
    $('#reasons').textContent = 'last hour' + (reasons.length ? ' · aborted by reason: ' + reasons.join(' · ') : '');
  } catch (failure) {
    $('#reasons').textContent = 'counts unavailable: ' + failure.message;
  }
}

function filterValues() {
  const form = $('#filters');
  const values = {};
  for (const name of FILTERS) {
    let value = form.elements[name].value.trim();
    if (value && (name === 'since' || name === 'until')) value = new Date(value + 'Z').toISOString();
    if (value) values[name] = value;
  }
  return values;
}

function syncUrl() {
  const params = new URLSearchParams(filterValues());
  if (openSaga) params.set('saga', openSaga);
  history.replaceState(null, '', '?' + params.toString());
}

async function loadList(cursor) {
  const params = new URLSearchParams(filterValues());
  params.set('limit', '50');
  if (cursor) params.set('after', cursor);
  $('#list-error').hidden = true;
  try {
    const page = await getJson('/sagas?' + params.toString());
    const body = $('#sagas tbody');
    body.replaceChildren();
    for (const saga of page.sagas) {
      const row = document.createElement('tr');
      row.dataset.saga = saga.saga_id;
      if (saga.overdue) row.classList.add('overdue');
      if (saga.saga_id === openSaga) row.classList.add('selected');
      // Saga ids begin with the time they started, alike for sagas of the same minute: the end tells them apart.
      const id = text('td', '\u2026' + saga.saga_id.slice(-12), 'id');
      id.title = saga.saga_id;
      row.append(id, text('td', saga.order_id),
        statusCell(saga.status), text('td', utc(saga.created_at)),
        text('td', saga.waiting_ms == null ? '' : duration(saga.waiting_ms) + (saga.overdue ? ' overdue' : ''), 'waiting'),
        text('td', saga.reason));
      row.addEventListener('click', () => showSaga(saga.saga_id));
      body.append(row);
    }
    if (page.sagas.length === 0) {
      const row = document.createElement('tr');
      const cell = text('td', 'no sagas match');
      cell.colSpan = 6;
      row.append(cell);
      body.append(row);
    }
    next = page.next;
    $('#older').disabled = !next;
  } catch (failure) {
    $('#list-error').textContent = failure.message;
    $('#list-error').hidden = false;
  }
}

function statusCell(status) {
  const cell = document.createElement('td');
  cell.append(text('span', status, 'status ' + status));
  return cell;
}

/** Per step: the command sent, its answer and how long it took, its compensation, and the re-sends it needed. */
function stepsOf(journal) {
  const steps = new Map();
  for (const line of journal) {
    if (line.step === 'saga') continue;
    const step = steps.get(line.step) || { name: line.step, resends: 0 };
    steps.set(line.step, step);
    const at = Date.parse(line.at);
    switch (line.event) {
      case 'SENT': step.command = line.detail; step.sentAt = step.sentAt ?? at; break;
      case 'RESENT': step.resends++; break;
      case 'CONFIRMATION_SENT': step.answer = (step.answer || 'DONE') + ', confirmed'; break;
      case 'COMPENSATION_SENT': step.compensation = line.detail; step.compensationAt = at; break;
      case 'COMPENSATED': step.compensation = (step.compensation || '') + ' done in ' + duration(at - step.compensationAt); break;
      case 'LATE_EFFECT_UNDONE': step.compensation = 'late effect undone: ' + line.detail; break;
      default:
        step.answer = line.event + (line.detail ? ': ' + line.detail : '');
        if (step.sentAt != null) step.took = at - step.sentAt;
    }
  }
  return [...steps.values()];
}

async function showSaga(sagaId) {
  openSaga = sagaId;
  syncUrl();
  document.querySelectorAll('#sagas tbody tr').forEach((row) => row.classList.toggle('selected', row.dataset.saga === sagaId));
  let saga;
  try {
    saga = await getJson('/sagas/' + encodeURIComponent(sagaId));
  } catch (failure) {
    $('#detail').hidden = false;
    $('#saga-id').textContent = sagaId;
    $('#saga-reason').textContent = failure.message;
    return;
  }
  $('#detail').hidden = false;
  $('#saga-id').textContent = saga.saga_id;
  $('#saga-status').textContent = saga.status;
  $('#saga-status').className = 'status ' + saga.status;
  $('#saga-reason').textContent = saga.reason ? 'reason: ' + saga.reason : '';
  const steps = $('#steps tbody');
  steps.replaceChildren();
  for (const step of stepsOf(saga.journal)) {
    const row = document.createElement('tr');
    row.append(text('td', step.name), text('td', step.command), text('td', step.answer || (FINISHED.includes(saga.status) ? '' : 'waiting')),
      text('td', duration(step.took)), text('td', step.compensation), text('td', step.resends || ''));
    steps.append(row);
  }
  const timeline = $('#timeline');
  timeline.replaceChildren();
  const start = saga.journal.length ? Date.parse(saga.journal[0].at) : 0;
  for (const line of saga.journal) {
    const item = document.createElement('li');
    item.append(text('span', utc(line.at) + ' (+' + (Date.parse(line.at) - start) + ' ms) ', 'at'),
      text('span', line.step + ' ' + line.event, /REQUESTED$/.test(line.event) ? 'admin' : ''),
      text('span', line.detail ? ' — ' + line.detail : ''));
    timeline.append(item);
  }
  $('#admin').hidden = !$('#token').value || FINISHED.includes(saga.status);
  $('#admin-result').textContent = '';
  showOrder(saga.order_id);
}

async function showOrder(orderId) {
  try {
    const order = await getJson('/orders/find/' + encodeURIComponent(orderId));
    const items = order.items.map((line) => line[0] + ' × ' + line[1]).join(', ');
    $('#saga-order').textContent = 'order ' + orderId + ' of user ' + order.user_id + ': ' + (items || 'no items')
      + '; total ' + order.total_cost + '; ' + (order.paid ? 'paid' : 'not paid');
  } catch (failure) {
    $('#saga-order').textContent = 'order ' + orderId + ': ' + failure.message;
  }
}

async function admin(action) {
  const response = await fetch('/sagas/' + encodeURIComponent(openSaga) + '/' + action, {
    method: 'POST', headers: { Authorization: 'Bearer ' + $('#token').value },
  });
  const body = await response.json().catch(() => ({}));
  $('#admin-result').textContent = response.ok ? action + ' requested' : body.error || response.status;
  if (response.ok) setTimeout(() => showSaga(openSaga), 1000);
}

function start() {
  const params = new URLSearchParams(location.search);
  const form = $('#filters');
  for (const name of FILTERS) {
    const value = params.get(name);
    if (!value) continue;
    form.elements[name].value = (name === 'since' || name === 'until') ? value.replace(/(\.\d+)?Z$/, '') : value;
  }
  $('#token').value = sessionStorage.getItem('adminToken') || '';
  $('#token').addEventListener('change', () => {
    sessionStorage.setItem('adminToken', $('#token').value);
    if (openSaga) showSaga(openSaga);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    pages.length = 0;
    syncUrl();
    loadList(null);
  });
  $('#older').addEventListener('click', () => { pages.push(next); loadList(next); });
  $('#newest').addEventListener('click', () => { pages.length = 0; loadList(null); });
  $('#retry').addEventListener('click', () => admin('retry'));
  $('#abort').addEventListener('click', () => admin('abort'));
  refreshCounts();
  setInterval(refreshCounts, 5000);
  loadList(null);
  if (params.get('saga')) showSaga(params.get('saga'));
}

start();
