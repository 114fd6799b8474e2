// The operator's services panel: the operator-only `services` and `lag` channels, drawn once a second (heartbeat
// ages tick). Connection, token and row merging are live-page.js's (shared with the wallboard); display logic is in
// services-logic.js.
import { $, el, startLivePage } from '/wallboard/live-page.js';

const S = globalThis.ServicesLogic;

function render(rowsByChannel, now) {
  const instances = S.instances(rowsByChannel.get('services').values(), now);
  $('instance-rows').replaceChildren(
    ...instances.map((i) => {
      const tr = el('tr', undefined, { 'data-key': i.key, 'data-unresponsive': String(i.unresponsive) });
      const status = el('td', i.status, { 'data-field': 'status', 'data-status': i.status });
      if (i.detail) status.title = i.detail;
      if (i.unresponsive) status.append(el('span', 'unresponsive', { class: 'unresponsive-tag' }));
      tr.append(
        el('th', i.service, { scope: 'row', 'data-field': 'service' }),
        el('td', i.instance, { 'data-field': 'instance' }),
        status,
        el('td', S.formatInstant(i.since), { 'data-field': 'since' }),
        el('td', `${S.formatAge(i.heartbeatAgeMs)} ago`, { 'data-field': 'heartbeat' }),
        el('td', i.host, { 'data-field': 'host' }),
      );
      return tr;
    }),
  );
  $('no-instances').hidden = instances.length > 0;

  const lag = S.lagLines(rowsByChannel.get('lag').values());
  $('lag-rows').replaceChildren(
    ...lag.map((l) => {
      const tr = el('tr', undefined, { 'data-id': l.id });
      tr.append(
        el('th', l.group, { scope: 'row', 'data-field': 'group' }),
        el('td', l.topic, { 'data-field': 'topic' }),
        el('td', String(l.partition), { 'data-field': 'partition' }),
        el('td', S.formatCount(l.next), { 'data-field': 'next' }),
        el('td', S.formatCount(l.end), { 'data-field': 'end' }),
        el('td', S.formatCount(l.lag), { 'data-field': 'lag', 'data-level': S.lagLevel(l.lag) }),
        el('td', l.owner ?? '—', { 'data-field': 'owner' }),
        el('td', S.formatInstant(l.updatedAt), { 'data-field': 'updated' }),
      );
      return tr;
    }),
  );
  $('no-lag').hidden = lag.length > 0;
}

startLivePage({
  channels: ['services', 'lag'],
  render,
  token: 'operator',
  linkHint: 'Ask for an operator link and open it with /services in place of / : ',
  howTo: 'bin/switchboard tokens create --tenant operations --role operator',
  forbidden: (e) => `This token may not read the services panel: ${e.message}.`,
  onError: (e) => {
    if (e?.code === 'unavailable' && e.channel === 'lag')
      $('no-lag').textContent = 'This gateway does not compute consumer lag.';
  },
});
