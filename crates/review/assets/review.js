// The review page: calls the JSON API with the token kept in sessionStorage. Everything
// that comes from an article or a person is put into the page as text (textContent, text
// nodes): never as markup.
'use strict';

(function () {
  const TOKEN_KEY = 'newsroom-review-token';
  const PAGE_SIZE = 25;
  const state = { claim: null, offset: 0, total: 0, me: null };
  const byId = (id) => document.getElementById(id);

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token()) headers.Authorization = 'Bearer ' + token();
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const error = new Error(data && data.message ? data.message : 'HTTP ' + response.status);
      error.status = response.status;
      error.body = data;
      throw error;
    }
    return data;
  }

  // An element holding `text` as text.
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function show(value) {
    if (value === null || value === undefined || value === '') return '—';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function say(text, isError) {
    const message = byId('message');
    message.textContent = text;
    message.dataset.state = isError ? 'error' : 'ok';
  }

  function fail(error) {
    let text = error.message;
    if (error.status === 401) text = 'Not signed in: ' + text;
    if (error.status === 403) text = 'Not allowed: ' + text;
    if (error.status === 409) text = 'Conflict: ' + text;
    say(text, true);
  }

  async function whoami() {
    const who = byId('whoami');
    state.me = null;
    who.dataset.name = '';
    if (!token()) {
      who.textContent = 'no token';
      return;
    }
    try {
      state.me = await api('GET', '/api/me');
      who.textContent = 'signed in as ' + state.me.name + ' (' + state.me.role + ')';
      who.dataset.name = state.me.name;
    } catch (error) {
      who.textContent = 'token refused';
      fail(error);
    }
  }

  function filters() {
    const params = new URLSearchParams();
    const put = (name, value) => {
      if (value) params.set(name, value);
    };
    put('article', byId('f-article').value.trim());
    put('kind', byId('f-kind').value);
    put('verdict', byId('f-verdict').value);
    put('status', byId('f-status').value);
    put('assignee', byId('f-assignee').value.trim());
    if (byId('f-unassigned').checked) params.set('unassigned', 'true');
    params.set('limit', String(PAGE_SIZE));
    params.set('offset', String(state.offset));
    return params;
  }

  async function loadQueue() {
    if (!token()) return;
    let page;
    try {
      page = await api('GET', '/api/claims?' + filters().toString());
    } catch (error) {
      fail(error);
      return;
    }
    state.total = page.total;
    const body = byId('queue').tBodies[0];
    body.replaceChildren();
    for (const item of page.items) {
      const row = document.createElement('tr');
      row.dataset.claimId = item.claim_id;
      if (state.claim && state.claim.claim_id === item.claim_id) row.className = 'selected';
      row.append(
        el('td', item.article),
        el('td', item.kind),
        el('td', item.quote),
        el(
          'td',
          item.effective_verdict === item.verdict
            ? item.verdict
            : item.verdict + ' → ' + item.effective_verdict,
          'verdict verdict-' + item.effective_verdict,
        ),
        el('td', item.status.replace('_', ' ')),
        el('td', show(item.assignee)),
      );
      row.addEventListener('click', () => showClaim(item.claim_id));
      body.append(row);
    }
    const last = Math.min(page.offset + page.items.length, page.total);
    byId('page-info').textContent =
      page.total === 0 ? 'no claims' : page.offset + 1 + '–' + last + ' of ' + page.total;
    byId('prev').disabled = page.offset === 0;
    byId('next').disabled = last >= page.total;
  }

  // Text of `bytes` of the UTF-8 encoding of `text`: the API's offsets are in bytes.
  function byteSlice(text, start, end) {
    const bytes = new TextEncoder().encode(text);
    return new TextDecoder().decode(bytes.slice(start, end));
  }

  function renderContext(context) {
    const box = byId('claim-context');
    box.replaceChildren();
    box.append(document.createTextNode(context.before));
    const quote = el('mark', null, 'quote');
    if (context.figure) {
      const [start, end] = context.figure;
      const length = new TextEncoder().encode(context.quote).length;
      quote.append(
        document.createTextNode(byteSlice(context.quote, 0, start)),
        el('mark', byteSlice(context.quote, start, end), 'figure'),
        document.createTextNode(byteSlice(context.quote, end, length)),
      );
    } else {
      quote.textContent = context.quote;
    }
    box.append(quote, document.createTextNode(context.after));
  }

  function fact(list, term, value, className) {
    list.append(el('dt', term), el('dd', show(value), className));
  }

  function describe(entry) {
    switch (entry.event) {
      case 'claim.checked':
        return 'checked: ' + entry.verdict + ' (official ' + show(entry.official) + ')';
      case 'verdict.changed':
        return 're-checked: ' + entry.from + ' → ' + entry.to + ': ' + entry.reason;
      case 'review.assigned':
        return entry.by + ' assigned it to ' + entry.assignee;
      case 'review.decided':
        return entry.decision.decision === 'override'
          ? entry.by + ' overrode it as ' + entry.decision.verdict + ': ' + show(entry.reason)
          : entry.by + ' confirmed the verdict' + (entry.reason ? ': ' + entry.reason : '');
      case 'review.override_approved':
        return entry.by + ' approved the override';
      case 'review.reopened':
        return entry.by + ' reopened it: ' + entry.reason;
      default:
        return entry.event;
    }
  }

  function renderClaim(claim) {
    state.claim = claim;
    const pane = byId('claim-pane');
    pane.hidden = false;
    pane.dataset.status = claim.review.status;
    pane.dataset.version = String(claim.review.version);
    pane.dataset.claimId = claim.claim_id;
    const report = claim.report;
    byId('claim-title').textContent = report.kind + ' claim in ' + claim.article;
    renderContext(claim.context);
    const warning = byId('claim-warning');
    warning.hidden = !claim.verdict_changed_since_decision;
    warning.textContent = claim.verdict_changed_since_decision
      ? 'The automatic verdict changed after the decision: consider reopening.'
      : '';

    const facts = byId('claim-facts');
    facts.replaceChildren();
    fact(facts, 'Claimed', report.claimed);
    fact(facts, 'Official', report.official);
    fact(facts, 'Automatic verdict', claim.verdict, 'verdict verdict-' + claim.verdict);
    fact(facts, 'Verdict in force', claim.effective_verdict, 'verdict verdict-' + claim.effective_verdict);
    fact(facts, 'Rule', report.evidence.rule);
    fact(facts, 'Tolerance', report.evidence.tolerance);
    fact(facts, 'Note', report.evidence.note);
    fact(facts, 'Election', report.change_from ? report.change_from + ' → ' + report.election : report.election);
    fact(facts, 'Where', report.constituency_id || report.area);
    fact(facts, 'Party', report.party);
    fact(facts, 'Candidate', report.candidate);
    fact(facts, 'Review', claim.review.status.replace('_', ' '));
    fact(facts, 'Assignee', claim.review.assignee);
    const decision = claim.review.decision;
    if (decision) {
      const what = decision.decision === 'override' ? 'override to ' + decision.verdict : 'confirmed';
      fact(facts, 'Decision', what + ' by ' + decision.by + (decision.approved_by ? ', approved by ' + decision.approved_by : ''));
      fact(facts, 'Reason', decision.reason);
    }
    fact(facts, 'Review version', claim.review.version);

    const rows = byId('evidence').tBodies[0];
    rows.replaceChildren();
    for (const row of report.evidence.rows) {
      const tr = document.createElement('tr');
      tr.append(
        el('td', row.election),
        el('td', show(row.constituency || row.constituency_id)),
        el('td', show(row.candidate)),
        el('td', show(row.party)),
        el('td', row.field),
        el('td', show(row.value)),
      );
      rows.append(tr);
    }

    const history = byId('history');
    history.replaceChildren();
    for (const entry of claim.history) {
      const item = el('li', null);
      item.dataset.event = entry.event;
      item.append(el('time', new Date(entry.at).toLocaleString()), document.createTextNode(' ' + describe(entry)));
      history.append(item);
    }

    const status = claim.review.status;
    byId('assign-me').disabled = status === 'decided';
    byId('assign-other').disabled = status === 'decided';
    byId('confirm').disabled = status !== 'open';
    byId('override').disabled = status !== 'open';
    byId('approve').disabled = status !== 'awaiting_approval';
    byId('reopen').disabled = status === 'open';
    for (const row of byId('queue').tBodies[0].rows) {
      row.className = row.dataset.claimId === claim.claim_id ? 'selected' : '';
    }
  }

  async function showClaim(id) {
    try {
      renderClaim(await api('GET', '/api/claims/' + encodeURIComponent(id)));
    } catch (error) {
      fail(error);
    }
  }

  async function act(action, fields, done) {
    const claim = state.claim;
    if (!claim) return;
    const body = Object.assign({ expected_version: claim.review.version }, fields);
    try {
      await api('POST', '/api/claims/' + encodeURIComponent(claim.claim_id) + '/' + action, body);
      say(done, false);
    } catch (error) {
      fail(error);
    }
    await showClaim(claim.claim_id);
    await loadQueue();
  }

  function wire() {
    byId('token').value = '';
    byId('token-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = byId('token').value.trim();
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      byId('token').value = '';
      await whoami();
      await loadQueue();
      if (state.claim) await showClaim(state.claim.claim_id);
    });
    byId('forget-token').addEventListener('click', async () => {
      sessionStorage.removeItem(TOKEN_KEY);
      await whoami();
    });
    byId('filters').addEventListener('submit', async (event) => {
      event.preventDefault();
      state.offset = 0;
      await loadQueue();
    });
    byId('prev').addEventListener('click', async () => {
      state.offset = Math.max(0, state.offset - PAGE_SIZE);
      await loadQueue();
    });
    byId('next').addEventListener('click', async () => {
      state.offset += PAGE_SIZE;
      await loadQueue();
    });
    byId('assign-me').addEventListener('click', () => act('assign', {}, 'Assigned to you.'));
    byId('assign-other').addEventListener('click', () => {
      const name = byId('assign-to').value.trim();
      act('assign', { assignee: name }, 'Assigned to ' + name + '.');
    });
    byId('confirm').addEventListener('click', () => act('confirm', {}, 'Verdict confirmed.'));
    byId('override').addEventListener('click', () =>
      act(
        'override',
        { verdict: byId('override-verdict').value, reason: byId('override-reason').value },
        'Override recorded; it counts once another editor approves it.',
      ),
    );
    byId('approve').addEventListener('click', () => act('approve', {}, 'Override approved.'));
    byId('reopen').addEventListener('click', () =>
      act('reopen', { reason: byId('reopen-reason').value }, 'Reopened.'),
    );
  }

  async function start() {
    wire();
    await whoami();
    await loadQueue();
    document.body.dataset.ready = 'true';
  }

  start();
})();
