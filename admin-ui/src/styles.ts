/** Styles shared by components (adopted into each shadow root). Colour contrast ≥ 4.5:1. */
import { css } from 'lit';

export const shared = css`
  :host { box-sizing: border-box; }
  *, *::before, *::after { box-sizing: inherit; }
  h1 { font-size: 1.45rem; margin: 0 0 0.75rem; font-weight: 600; }
  h2 { font-size: 1.15rem; margin: 1.25rem 0 0.5rem; font-weight: 600; }
  h3 { font-size: 1rem; margin: 1rem 0 0.4rem; font-weight: 600; }
  p { margin: 0.4rem 0; }
  a { color: var(--tw-link, #0b57a4); }
  a:hover { text-decoration-thickness: 2px; }
  button, .button, select, input, textarea {
    font: inherit; color: inherit;
  }
  button, .button {
    display: inline-flex; align-items: center; gap: 0.35rem;
    min-height: 2.1rem; padding: 0.3rem 0.85rem; border-radius: var(--tw-radius, 6px);
    border: 1px solid var(--tw-border, #d3d9e2); background: var(--tw-surface, #fff); cursor: pointer;
    text-decoration: none; color: var(--tw-text, #1c2430); white-space: nowrap;
  }
  button.primary, .button.primary { background: var(--tw-accent, #a4262c); border-color: var(--tw-accent, #a4262c); color: var(--tw-accent-text, #fff); }
  button.danger { border-color: var(--tw-bad, #b3261e); color: var(--tw-bad, #b3261e); }
  button:disabled { opacity: 0.55; cursor: not-allowed; }
  button:hover:not(:disabled), .button:hover { filter: brightness(0.96); }
  :focus-visible { outline: 3px solid var(--tw-focus, #1a73e8); outline-offset: 2px; }
  input, select, textarea {
    min-height: 2.1rem; padding: 0.25rem 0.5rem; border: 1px solid #8a94a3; border-radius: 4px; background: #fff;
  }
  textarea { font-family: var(--tw-mono, monospace); }
  label { font-weight: 500; }
  .field { display: flex; flex-direction: column; gap: 0.2rem; }
  .row { display: flex; gap: 0.75rem; align-items: end; flex-wrap: wrap; }
  .muted { color: var(--tw-muted, #4f5b6b); }
  .card { background: var(--tw-surface, #fff); border: 1px solid var(--tw-border, #d3d9e2); border-radius: var(--tw-radius, 6px); padding: 1rem; }
  .card > h3:first-child, .card > header h3, .card > h2:first-child { margin-top: 0; }
  table { border-collapse: collapse; width: 100%; background: var(--tw-surface, #fff); }
  th, td { text-align: start; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--tw-border, #d3d9e2); }
  th { font-weight: 600; background: #eef1f5; }
  code, pre, .mono { font-family: var(--tw-mono, monospace); }
  .badge { display: inline-block; padding: 0 0.45rem; border-radius: 999px; font-size: 0.82rem; border: 1px solid currentColor; white-space: nowrap; }
  .ok { color: var(--tw-ok, #1e6b34); }
  .warn { color: var(--tw-warn, #8a5300); }
  .bad { color: var(--tw-bad, #b3261e); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .toolbar { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; margin: 0.5rem 0; }
  .scroll-x { overflow-x: auto; }
`;
