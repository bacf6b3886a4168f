// The ledger's page (issue 11): every chart is drawn from the API's answers, and every chart links to the numbers
// behind it. Charts are uPlot (vendor/uplot, see vendor/README.md). Each chart's container gets data-points (how many
// points it drew) and the body data-ready once everything is drawn, for the browser tests (tests/Api.Tests).
"use strict";

const ledger = { charts: {}, rows: {} };
window.ledger = ledger;
const $ = id => document.getElementById(id);
const colors = ["#2f6fdb", "#e0892b", "#3a9d5d", "#b04ad8", "#c23b3b"];
const whole = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
const HALVING_TAO = 10_500_000; // half of the 21M τ cap: block emission halves when issuance reaches it

async function api(path) {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) {
    const error = new Error(`${body.title ?? response.status}: ${body.parameter ? body.parameter + ": " : ""}${body.detail ?? ""}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

/** Every page of a paged list (limit/offset), concatenated. */
async function allRows(path, array) {
  const rows = [];
  let offset = 0;
  for (;;) {
    // The server's default page size (its maximum or less); next_offset says where the next page starts.
    const page = await api(`${path}${path.includes("?") ? "&" : "?"}offset=${offset}`);
    rows.push(...page[array]);
    if (page.paging.next_offset == null) return { first: page, rows };
    offset = page.paging.next_offset;
  }
}

const num = s => Number(s);
const fmt = (s, unit) => `${Number(s).toLocaleString("en-US", { maximumFractionDigits: 9 })} ${unit ?? ""}`.trim();
const esc = s => String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

function showError(message) {
  const p = $("errors");
  p.hidden = false;
  p.textContent = (p.textContent ? p.textContent + " · " : "") + message;
}

function link(id, href) { $(id).href = href; }

function plot(name, opts, data) {
  const target = $("chart-" + name);
  target.innerHTML = "";
  const width = Math.max(400, target.clientWidth || 900);
  const u = new uPlot({ width, height: 280, ...opts }, data, target);
  ledger.charts[name] = u;
  target.dataset.points = String(data[0].length);
  target.dataset.ready = "true";
  return u;
}

function empty(name, message) {
  const target = $("chart-" + name);
  target.innerHTML = `<p>${esc(message)}</p>`;
  target.dataset.points = "0";
  target.dataset.ready = "true";
}

function table(headers, rows) {
  return `<table><tr>${headers.map(h => `<th>${esc(h)}</th>`).join("")}</tr>${rows.map(r => `<tr>${r.map(c => `<td>${c}</td>`).join("")}</tr>`).join("")}</table>`;
}

function params() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { netuid: p.get("netuid"), hotkey: p.get("hotkey"), coldkey: p.get("coldkey") };
}

async function showStatus() {
  const s = await api("api/v1/status");
  $("status").innerHTML = table(["netuid", "neurons", "latest block", "weight submissions", "total stake"],
    s.subnets.map(x => [x.netuid, x.neurons, x.latest_block, x.weight_submissions, esc(fmt(x.total_stake, x.unit))])) +
    `<p>${s.events} events; ${s.complete ? "every run that wrote this ledger completed" : "INCOMPLETE: " + esc(s.incomplete.map(i => i.reason).join("; "))}</p>`;
  $("netuids").innerHTML = s.subnets.map(x => `<option value="${x.netuid}">`).join("");
  return s;
}

async function showVerify() {
  const v = await api("api/v1/verify");
  const el = $("verify");
  el.dataset.state = v.holds ? "holds" : "broken";
  el.textContent = v.holds
    ? `verify: holds — ${v.epochs_matching} of ${v.epochs} epochs recomputed bit for bit; ${v.identities.map(i => i.identity).join(", ")} hold`
    : `verify: BROKEN at block ${v.first_broken_block}: ${v.findings.map(f => f.reason).join("; ")}`;
}

/** Per synced subnet: the chain sync checkpoint and the audit verdicts, counted; one row per subnet (data-netuid). */
async function showChain() {
  const c = await api("api/v1/chain/status");
  const el = $("chain");
  el.dataset.rows = String(c.subnets.length);
  if (c.subnets.length === 0) {
    el.dataset.state = "none";
    el.innerHTML = `<p>chain sync: none — this ledger holds no blocks read from a chain (<code>ledger chain sync</code>)</p>`;
    return;
  }
  const differed = c.subnets.reduce((s, x) => s + x.differed, 0);
  el.dataset.state = differed === 0 ? "match" : "differs";
  const dash = v => v == null ? "-" : esc(v);
  const headers = ["netuid", "checkpoint (next block)", "last hash", "spec version", "audited epochs", "matched", "differed", "incomplete", "last audited block"];
  el.innerHTML = `<p>chain sync and audit: ${differed === 0 ? "no audited epoch differs" : `${differed} audited epoch(s) DIFFER`} ` +
    `(<a href="api/v1/chain/status">the numbers</a>)</p>` +
    `<table><tr>${headers.map(h => `<th>${esc(h)}</th>`).join("")}</tr>` +
    c.subnets.map(x => `<tr data-netuid="${x.netuid}">` +
      [x.netuid, dash(x.next_block), x.last_hash == null ? "-" : `<code>${esc(x.last_hash.slice(0, 18))}</code>`, dash(x.spec_version),
        x.audited, x.matched, x.differed, x.incomplete, dash(x.last_audited_block)].map(v => `<td>${v}</td>`).join("") + "</tr>").join("") +
    "</table>";
}

async function showDigest() {
  const d = await api("api/v1/digest");
  $("digest").innerHTML = `<p>read models (digest): ${d.gaps.length === 0 ? "no sequence gaps" : d.gaps.length + " sequence gaps"}, ${d.skipped.length} skipped events</p>` +
    table(["read model", "rows", "checkpoint", "digest"], d.digests.map(x => [esc(x.name), x.rows, x.checkpoint, `<code>${esc(x.digest.slice(0, 16))}…</code>`]));
}

async function explain(netuid, epoch, uid) {
  const path = `api/v1/subnets/${netuid}/epochs/${epoch}/uids/${uid}/explain`;
  const x = await api(path);
  const e = x.explanation;
  const section = $("explain");
  section.hidden = false;
  section.dataset.netuid = String(netuid);
  section.dataset.epoch = String(epoch);
  section.dataset.uid = String(uid);
  link("explain-link", path);
  $("explain-body").innerHTML =
    `<p>subnet ${e.net_uid}, epoch ${e.epoch} (block ${e.block}), uid ${e.uid} <code>${esc(e.hotkey)}</code>: ` +
    `reconciles: <strong>${x.reconciles ? "yes" : "NO"}</strong></p>` +
    table(["stake", "drained pot", "incentive paid", "validator paid", "validator pot", "validator payout"],
      [[fmt(e.stake, e.unit), fmt(e.drained_pot, e.unit), fmt(e.incentive_paid, e.unit), fmt(e.validator_paid, e.unit), fmt(e.validator_pot, e.unit), fmt(e.validator_payout, e.unit)].map(esc)]) +
    `<h3>payouts</h3>` + table(["seq", "reason", "to", "amount"], e.payouts.map(p => [p.seq, esc(p.reason), `<code>${esc(p.to)}</code>`, esc(fmt(p.amount, e.unit))]));
  section.scrollIntoView({ block: "nearest" });
}

function onClick(u, handler) {
  u.over.addEventListener("click", () => {
    const i = u.cursor.idx;
    if (i != null) handler(i).catch(e => showError(e.message));
  });
}

async function hotkeyChart(hotkey, netuid) {
  const path = `api/v1/emissions?hotkey=${encodeURIComponent(hotkey)}`;
  link("numbers-hotkey", path);
  $("hotkey-label").textContent = hotkey;
  const { rows: all } = await allRows(path, "rows");
  const onSubnet = all.filter(r => r.net_uid === netuid);
  const rows = onSubnet.length > 0 ? onSubnet : all.filter(r => r.net_uid === all[0]?.net_uid);
  ledger.rows.hotkey = rows;
  if (rows.length === 0) return empty("hotkey", "no emission recorded for this hotkey");
  const unit = rows[0].unit;
  const incentive = rows.map(r => num(r.server_emission));
  const take = rows.map((r, i) => incentive[i] + num(r.take));
  const nominators = rows.map((r, i) => take[i] + num(r.nominator_dividends));
  // Stacked: each series is the sum of those below it, drawn top first so the lower ones paint over it.
  const u = plot("hotkey", {
    scales: { x: { time: false } },
    axes: [{ label: `epoch (subnet ${rows[0].net_uid})`, incrs: whole }, { label: unit, size: 70 }],
    series: [
      { label: "epoch" },
      { label: "nominator dividends (stacked)", stroke: colors[2], fill: colors[2] + "66", value: (u, v, s, i) => i == null ? "-" : rows[i].nominator_dividends },
      { label: "validator take (stacked)", stroke: colors[1], fill: colors[1] + "88", value: (u, v, s, i) => i == null ? "-" : rows[i].take },
      { label: "incentive", stroke: colors[0], fill: colors[0] + "aa", value: (u, v, s, i) => i == null ? "-" : rows[i].server_emission },
    ],
  }, [rows.map(r => r.epoch), nominators, take, incentive]);
  onClick(u, i => explain(rows[i].net_uid, rows[i].epoch, rows[i].uid));
}

async function rolesChart(netuid) {
  const path = `api/v1/emissions?netuid=${netuid}`;
  link("numbers-roles", path);
  const { rows } = await allRows(path, "rows");
  const byEpoch = new Map();
  for (const r of rows) {
    const e = byEpoch.get(r.epoch) ?? { epoch: r.epoch, server: 0, validator: 0, top: r };
    e.server += num(r.server_emission);
    e.validator += num(r.validator_emission);
    if (num(r.emission) > num(e.top.emission)) e.top = r;
    byEpoch.set(r.epoch, e);
  }
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  ledger.rows.roles = epochs;
  if (epochs.length === 0) return empty("roles", "no epochs recorded on this subnet");
  const u = plot("roles", {
    scales: { x: { time: false } },
    axes: [{ label: "epoch", incrs: whole }, { label: rows[0].unit, size: 70 }],
    series: [{ label: "epoch" }, { label: "miners (incentive)", stroke: colors[0], width: 2 }, { label: "validators (dividends)", stroke: colors[1], width: 2 }],
  }, [epochs.map(e => e.epoch), epochs.map(e => e.server), epochs.map(e => e.validator)]);
  // The epoch's numbers: the explanation of the uid that earned most in it.
  onClick(u, i => explain(netuid, epochs[i].epoch, epochs[i].top.uid));
}

function concentrationChart(metagraph) {
  link("numbers-concentration", `api/v1/subnets/${metagraph.net_uid}/metagraph`);
  const neurons = [...metagraph.neurons].sort((a, b) => num(b.emission) - num(a.emission));
  ledger.rows.concentration = neurons;
  if (neurons.length === 0) return empty("concentration", "no neurons");
  const total = neurons.reduce((s, n) => s + num(n.emission), 0);
  let running = 0;
  const cumulative = neurons.map(n => (running += num(n.emission), total > 0 ? 100 * running / total : 0));
  const share = neurons.map(n => total > 0 ? 100 * num(n.emission) / total : 0);
  const top10 = cumulative[Math.min(9, cumulative.length - 1)];
  $("concentration-summary").textContent = `epoch ${metagraph.epoch ?? "-"}: the top 10 of ${neurons.length} uids received ${top10.toFixed(1)}% of the emission`;
  const u = plot("concentration", {
    scales: { x: { time: false }, y: { range: [0, 100] } },
    axes: [{ label: "uids ranked by emission", incrs: whole }, { label: "% of emission" }],
    series: [
      { label: "rank" },
      { label: "cumulative %", stroke: colors[3], width: 2 },
      { label: "uid's share %", stroke: colors[0], paths: uPlot.paths.bars({ size: [0.8, 40] }), fill: colors[0] + "88" },
    ],
  }, [neurons.map((_, i) => i + 1), cumulative, share]);
  if (metagraph.epoch != null) onClick(u, i => explain(metagraph.net_uid, metagraph.epoch, neurons[i].uid));
}

async function supplyChart(netuid) {
  const path = `api/v1/supply?netuid=${netuid}`;
  link("numbers-supply", path);
  const s = await api(path);
  const epochs = s.epochs;
  ledger.rows.supply = epochs;
  if (epochs.length === 0) return empty("supply", "no epochs recorded on this subnet");
  let recycled = 0, burned = 0;
  const cumRecycled = epochs.map(e => (recycled += num(e.alpha.recycled)));
  const cumBurned = epochs.map(e => (burned += num(e.alpha.burned)));
  const halving = epochs.find(e => num(e.tao.issuance_end) >= HALVING_TAO);
  $("halving").textContent = halving
    ? `halving: τ issuance reached ${HALVING_TAO.toLocaleString("en-US")} τ by block ${halving.block}`
    : `halving: not reached (τ issued ${fmt(epochs[epochs.length - 1].tao.issuance_end, "τ")} of ${HALVING_TAO.toLocaleString("en-US")} τ)`;
  const u = plot("supply", {
    scales: { x: { time: false }, tao: {} },
    axes: [{ label: "block" }, { label: "α", size: 80 }, { label: "τ issued", scale: "tao", side: 1, size: 90, grid: { show: false } }],
    series: [
      { label: "block" },
      { label: "α issued", stroke: colors[0], width: 2 },
      { label: "α staked", stroke: colors[2], width: 2 },
      { label: "α recycled (cumulative)", stroke: colors[1] },
      { label: "α burned (cumulative)", stroke: colors[4] },
      { label: "τ issued", stroke: "#1d2330", scale: "tao", dash: [6, 4] },
    ],
    hooks: {
      draw: [u => {
        if (!halving) return;
        const x = u.valToPos(halving.block, "x", true);
        u.ctx.save();
        u.ctx.strokeStyle = "#a00";
        u.ctx.setLineDash([4, 4]);
        u.ctx.beginPath();
        u.ctx.moveTo(x, u.bbox.top);
        u.ctx.lineTo(x, u.bbox.top + u.bbox.height);
        u.ctx.stroke();
        u.ctx.restore();
      }],
    },
  }, [epochs.map(e => e.block), epochs.map(e => num(e.alpha.issuance_end)), epochs.map(e => num(e.alpha.staked_end)), cumRecycled, cumBurned,
    epochs.map(e => num(e.tao.issuance_end))]);
  onClick(u, async i => {
    const { rows } = await allRows(`api/v1/emissions?netuid=${netuid}&from_epoch=${epochs[i].epoch}&to_epoch=${epochs[i].epoch}`, "rows");
    const top = rows.reduce((a, b) => num(b.emission) > num(a.emission) ? b : a, rows[0]);
    if (top) await explain(netuid, epochs[i].epoch, top.uid);
  });
}

async function stakeChart(coldkey) {
  const path = `api/v1/stake?coldkey=${encodeURIComponent(coldkey)}`;
  link("numbers-stake", path);
  $("coldkey-label").textContent = coldkey;
  const { rows } = await allRows(path, "positions");
  const bySubnet = new Map();
  for (const p of rows) bySubnet.set(p.net_uid, (bySubnet.get(p.net_uid) ?? 0) + num(p.stake));
  const subnets = [...bySubnet.entries()].sort((a, b) => a[0] - b[0]);
  ledger.rows.stake = subnets;
  if (subnets.length === 0) return empty("stake", "no stake");
  plot("stake", {
    scales: { x: { time: false, range: [-0.5, subnets.length - 0.5] } },
    axes: [{ label: "subnet", values: (u, ticks) => ticks.map(t => Number.isInteger(t) && subnets[t] ? "netuid " + subnets[t][0] : "") , incrs: [1] }, { label: "α staked", size: 80 }],
    series: [{ label: "subnet", value: (u, v) => v == null || !subnets[v] ? "-" : "netuid " + subnets[v][0] },
      { label: "α staked", stroke: colors[2], fill: colors[2] + "99", paths: uPlot.paths.bars({ size: [0.6, 120] }) }],
  }, [subnets.map((_, i) => i), subnets.map(s => s[1])]);
}

async function main() {
  const status = await showStatus();
  const p = params();
  const netuid = Number(p.netuid ?? status.subnets[0]?.netuid ?? 1);
  $("netuid").value = netuid;
  document.querySelectorAll(".netuid-label, #netuid-label").forEach(e => e.textContent = netuid);
  const metagraph = await api(`api/v1/subnets/${netuid}/metagraph`);
  $("hotkeys").innerHTML = metagraph.neurons.map(n => `<option value="${esc(n.hotkey)}">uid ${n.uid}</option>`).join("");
  $("coldkeys").innerHTML = [...new Set(metagraph.neurons.map(n => n.coldkey))].map(c => `<option value="${esc(c)}">`).join("");
  const top = [...metagraph.neurons].sort((a, b) => num(b.emission) - num(a.emission))[0];
  const hotkey = p.hotkey ?? top?.hotkey;
  const coldkey = p.coldkey ?? metagraph.neurons.find(n => n.hotkey === hotkey)?.coldkey ?? top?.coldkey;
  $("hotkey").value = hotkey ?? "";
  $("coldkey").value = coldkey ?? "";
  const work = [showVerify(), showChain(), showDigest(), rolesChart(netuid), supplyChart(netuid)];
  concentrationChart(metagraph);
  if (hotkey) work.push(hotkeyChart(hotkey, netuid)); else empty("hotkey", "no hotkey");
  if (coldkey) work.push(stakeChart(coldkey)); else empty("stake", "no coldkey");
  const results = await Promise.allSettled(work);
  for (const r of results) if (r.status === "rejected") showError(r.reason.message);
}

$("search").addEventListener("submit", e => {
  e.preventDefault();
  const q = new URLSearchParams();
  for (const name of ["netuid", "hotkey", "coldkey"]) if ($(name).value.trim()) q.set(name, $(name).value.trim());
  location.hash = q.toString();
});
window.addEventListener("hashchange", () => location.reload());

main().catch(e => showError(e.message)).finally(() => { document.body.dataset.ready = "true"; });
