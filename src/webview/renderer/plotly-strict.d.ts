/** Plotly's strict (no eval) distribution: a UMD bundle whose CommonJS export is the Plotly object. */
declare module 'plotly.js-strict-dist-min' {
  const Plotly: object;
  export default Plotly;
}
