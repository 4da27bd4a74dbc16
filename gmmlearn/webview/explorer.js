// gmmlearn browser view of an EM run (anywidget ES module; also inlined by the static export).
//
// The kernel sends the whole run once (gmmlearn/webview/frames.py): positions (float32 N×3, in
// the cube [-1, 1]³), the features not plotted (float32, usually none), per θ_t the colours'
// source as a quadratic per component (float64 `terms`), the means and covariance factors of
// every θ_t (float32 (T+1)×K×12), and `meta`. The colours γ(θ_r) are computed here, once per
// θ_r looked at (responsibilities / colourFrame below, tested equal to Python's), so what is
// sent does not grow with the number of iterations times N. A change of `step` (from a
// jslinked Play or slider, or the export's own controls) needs no kernel round trip: the
// picture glides from the half-step shown to the new one (means and covariances interpolated,
// colours faded), or jumps when another change arrives during a glide (keys stay instant).
// Three layers: a 2-D canvas behind (axes box, grid, ticks), a WebGL canvas (the points,
// depth-tested), a 2-D canvas in front (ellipsoids and means, always visible over the cloud).
// The log-likelihood curve, the split ln p = L + KL (PRML §9.4, as two bars: the half-step
// before and now) and the key with π_k sit on the right.
//
// No dependencies: WebGL 1 and Canvas 2D only, so nothing is fetched at run time.

const SUB = "₀₁₂₃₄₅₆₇₈₉";
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const MARKER = "#D55E00";
const OUTER_FADE = 0.55; // 2σ lines fainter than 1σ lines
const LOWER_COLOR = "#0072B2"; // L(q, θ) in the bar panel (Okabe–Ito blue)
const KL_COLOR = "#E69F00"; // KL(q ‖ p) on top of it (Okabe–Ito orange)
const COMPONENT_GREY = 0.88; // colouring by one γ_nk: γ = 0 (gmmlearn/plotting/view.py)
const GLIDE_MS = 240; // the longest glide (under Play's 250 ms); shorter when steps come faster
const COLOUR_CACHE = 8; // colour frames kept (each N·4 bytes)

function subscript(n) {
  return String(n).split("").map((c) => SUB[+c]).join("");
}

function asArray(Type, view) {
  // anywidget hands over a DataView; typed arrays need an aligned offset, so copy if not
  if (!view || view.byteLength === undefined) return new Type(0);
  const size = Type.BYTES_PER_ELEMENT;
  if (view.byteOffset % size === 0) {
    return new Type(view.buffer, view.byteOffset, Math.floor(view.byteLength / size));
  }
  return new Type(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function el(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}

// ---------------------------------------------------------------------------------------------
// γ in the browser. Per θ_r and component k, `terms` holds c_k, m_k (D) and U_k (D × D, row-major)
// with ln π_k 𝒩(x_n | μ_k, Σ_k) = c_k − ½‖U_kᵀ(z_n − m_k)‖² + (the same for every k), z_n the
// point's scaled features: the plotted ones (positions), then the others (extra).

function gammaData(meta, positions, extra, terms) {
  return {
    positions, extra, terms,
    N: meta.n_samples, K: meta.n_components, D: meta.n_features, d: meta.n_dims,
  };
}

// ln π_k 𝒩 (up to a constant per point) of points n0 … n1 − 1 under θ_r, into `out`
// (component-major: out[k · (n1 − n0) + n − n0]). Loops over k outside, the points inside, and
// the usual 2-D and 3-D cases written out: 10⁶ points in tens of milliseconds.
function logJointTable(data, r, n0, n1, out) {
  const { positions, extra, terms, K, D, d } = data;
  const stride = 1 + D + D * D;
  const M = n1 - n0;
  for (let k = 0; k < K; k++) {
    const o = (r * K + k) * stride;
    const c = terms[o];
    const u = o + 1 + D; // U_k row-major: U[i][j] = terms[u + i·D + j]; y_j = Σ_i U[i][j] diff_i
    const base = k * M - n0;
    if (D === 3 && d === 3) {
      const [m0, m1, m2] = [terms[o + 1], terms[o + 2], terms[o + 3]];
      const [u00, u01, u02, u10, u11, u12, u20, u21, u22] = terms.subarray(u, u + 9);
      for (let n = n0; n < n1; n++) {
        const x0 = positions[3 * n] - m0;
        const x1 = positions[3 * n + 1] - m1;
        const x2 = positions[3 * n + 2] - m2;
        const y0 = u00 * x0 + u10 * x1 + u20 * x2;
        const y1 = u01 * x0 + u11 * x1 + u21 * x2;
        const y2 = u02 * x0 + u12 * x1 + u22 * x2;
        out[base + n] = c - 0.5 * (y0 * y0 + y1 * y1 + y2 * y2);
      }
    } else if (D === 2 && d === 2) {
      const [m0, m1] = [terms[o + 1], terms[o + 2]];
      const [u00, u01, u10, u11] = terms.subarray(u, u + 4);
      for (let n = n0; n < n1; n++) {
        const x0 = positions[3 * n] - m0;
        const x1 = positions[3 * n + 1] - m1;
        const y0 = u00 * x0 + u10 * x1;
        const y1 = u01 * x0 + u11 * x1;
        out[base + n] = c - 0.5 * (y0 * y0 + y1 * y1);
      }
    } else {
      // any D: z = the plotted features, then the others
      const diff = new Float64Array(D);
      for (let n = n0; n < n1; n++) {
        for (let i = 0; i < d; i++) diff[i] = positions[3 * n + i] - terms[o + 1 + i];
        for (let i = d; i < D; i++) diff[i] = extra[n * (D - d) + i - d] - terms[o + 1 + i];
        let q = 0;
        for (let j = 0; j < D; j++) {
          let y = 0;
          for (let i = 0; i < D; i++) y += terms[u + i * D + j] * diff[i];
          q += y * y;
        }
        out[base + n] = c - 0.5 * q;
      }
    }
  }
}

// Softmax over k of the table, in place, point by point: γ_nk (π_k = 0: c_k = −∞, γ_nk = 0)
function softmaxTable(table, K, M) {
  for (let n = 0; n < M; n++) {
    let top = -Infinity;
    for (let k = 0; k < K; k++) if (table[k * M + n] > top) top = table[k * M + n];
    if (!Number.isFinite(top)) top = 0;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      // e^-40 ≈ 4e-18 of the largest term: 0 for γ, and exp (the slow part) is skipped
      const shifted = table[k * M + n] - top;
      const v = shifted < -40 ? 0 : Math.exp(shifted);
      table[k * M + n] = v;
      sum += v;
    }
    for (let k = 0; k < K; k++) table[k * M + n] /= sum;
  }
}

function gammaTable(data, r, n0, n1, scratch = null) {
  const M = n1 - n0;
  const table = scratch ? scratch.subarray(0, data.K * M) : new Float64Array(data.K * M);
  logJointTable(data, r, n0, n1, table);
  softmaxTable(table, data.K, M);
  return table;
}

const BLOCK = 16384; // rows per block of a colour frame: its table stays in cache

// γ(θ_r) of points n0 … n1 − 1, row-major (n1 − n0) × K: what the tests compare with Python's
function responsibilities(data, r, n0 = 0, n1 = data.N) {
  const { K } = data;
  const M = n1 - n0;
  const table = gammaTable(data, r, n0, n1);
  const out = new Float64Array(M * K);
  for (let n = 0; n < M; n++) for (let k = 0; k < K; k++) out[n * K + k] = table[k * M + n];
  return out;
}

// The points' colours for γ(θ_r) (bytes, N × 3): Σ_k γ_nk c_k, or with `component` that γ_nk
// from grey to its colour (as gmmlearn/webview/frames.py color_frames); and each point's main
// component (argmax_k γ_nk), to count the points an E-step moves from one to another. In
// blocks of rows: `into` (from a previous call) is filled from row n0 on, up to n1.
function colourFrame(data, r, rgb, component = null, n0 = 0, n1 = data.N, into = null) {
  const { N, K } = data;
  const frame = into || { colors: new Uint8Array(N * 3), main: new Uint8Array(N) };
  const scratch = new Float64Array(K * Math.min(BLOCK, n1 - n0));
  const flat = rgb.flat();
  for (let b = n0; b < n1; b += BLOCK) {
    colourBlock(data, r, flat, component, b, Math.min(n1, b + BLOCK), frame, scratch);
  }
  return frame;
}

function colourBlock(data, r, flat, component, n0, n1, frame, scratch) {
  const { K } = data;
  const { colors, main } = frame;
  const M = n1 - n0;
  const g = gammaTable(data, r, n0, n1, scratch);
  for (let n = 0; n < M; n++) {
    let best = 0;
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    for (let k = 0; k < K; k++) {
      const v = g[k * M + n];
      if (v > g[best * M + n]) best = k;
      r0 += v * flat[3 * k];
      r1 += v * flat[3 * k + 1];
      r2 += v * flat[3 * k + 2];
    }
    if (component !== null) {
      const v = Math.min(1, Math.max(0, g[component * M + n]));
      const w = (1 - v) * COMPONENT_GREY;
      r0 = w + v * flat[3 * component];
      r1 = w + v * flat[3 * component + 1];
      r2 = w + v * flat[3 * component + 2];
    }
    const i = n0 + n;
    main[i] = best;
    // clipped to [0, 1], rounded to the nearest byte (Uint8ClampedArray would round half to even)
    colors[3 * i] = Math.round(Math.min(1, Math.max(0, r0)) * 255);
    colors[3 * i + 1] = Math.round(Math.min(1, Math.max(0, r1)) * 255);
    colors[3 * i + 2] = Math.round(Math.min(1, Math.max(0, r2)) * 255);
  }
}

// ---------------------------------------------------------------------------------------------
// Gliding between half-steps: θ interpolated (a convex combination of covariances is positive
// definite), then drawn through its principal axes as the kernel's factors are

function symmetricEigen3(S) {
  // Jacobi rotations on a symmetric 3 × 3 matrix (row-major): eigenvalues and eigenvectors
  // (columns of V, row-major)
  const a = S.slice();
  const V = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 12; sweep++) {
    const off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
    if (off < 1e-30 * (a[0] * a[0] + a[4] * a[4] + a[8] * a[8]) || off === 0) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      const apq = a[3 * p + q];
      if (apq === 0) continue;
      const theta = (a[3 * q + q] - a[3 * p + p]) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        // A ← Jᵀ A J, column then row
        const akp = a[3 * k + p];
        const akq = a[3 * k + q];
        a[3 * k + p] = c * akp - s * akq;
        a[3 * k + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[3 * p + k];
        const aqk = a[3 * q + k];
        a[3 * p + k] = c * apk - s * aqk;
        a[3 * q + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = V[3 * k + p];
        const vkq = V[3 * k + q];
        V[3 * k + p] = c * vkp - s * vkq;
        V[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  return { values: [a[0], a[4], a[8]], vectors: V };
}

// One component's row (mean 3, A 9 row-major with A Aᵀ = Σ) between two θ: μ and Σ mixed
// with weight u, A = V √Λ of the mixed Σ
function mixEllipsoid(E, o0, o1, u) {
  const out = new Float64Array(12);
  for (let i = 0; i < 3; i++) out[i] = (1 - u) * E[o0 + i] + u * E[o1 + i];
  const S = new Array(9).fill(0);
  for (const [o, w] of [[o0, 1 - u], [o1, u]]) {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let v = 0;
        for (let l = 0; l < 3; l++) v += E[o + 3 + 3 * i + l] * E[o + 3 + 3 * j + l];
        S[3 * i + j] += w * v;
      }
    }
  }
  const { values, vectors } = symmetricEigen3(S);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[3 + 3 * i + j] = vectors[3 * i + j] * Math.sqrt(Math.max(values[j], 0));
  }
  return out;
}

const smoothstep = (u) => u * u * (3 - 2 * u);

function groupDigits(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatChange(v) {
  // a distance or a change of ln p, as a reader says it: 1.7, 94.6, 0.032, 1.2e-5
  const a = Math.abs(v);
  const text = a >= 1000 ? v.toFixed(0) : a >= 0.1 ? v.toFixed(1) : a >= 1e-3 ? v.toPrecision(2)
    : a === 0 ? "0" : v.toExponential(1);
  return text.replace("-", "−");
}

// ---------------------------------------------------------------------------------------------
// Camera: an orthographic view of the cube, turned by elevation/azimuth (matplotlib's angles)

function cameraBasis(elevDeg, azimDeg, flat) {
  if (flat) return { right: [1, 0, 0], up: [0, 1, 0], eye: [0, 0, 1] };
  const el = (Math.max(-89.9, Math.min(89.9, elevDeg)) * Math.PI) / 180;
  const az = (azimDeg * Math.PI) / 180;
  const eye = [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)];
  // right = forward × z, up = right × forward, forward = -eye
  const right = [-eye[1], eye[0], 0];
  const n = Math.hypot(right[0], right[1]);
  right[0] /= n;
  right[1] /= n;
  const up = [
    -right[1] * eye[2],
    right[0] * eye[2],
    right[1] * eye[0] - right[0] * eye[1],
  ];
  return { right, up, eye };
}

const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

// ---------------------------------------------------------------------------------------------
// WebGL: the points
//
// Drawing 10⁵ points costs software WebGL (SwiftShader, no GPU) ~45 ms and 10⁶ ~0.5 s, whatever
// their colours, while a half-step changes only the colours. So the points are drawn in two
// passes: an *index pass*, run only when the picture's geometry changes (camera, zoom, size,
// points), draws every point's index into an offscreen texture, depth-tested as before (each
// pixel keeps the front point); a *colour pass*, run every frame, is one quad that looks each
// pixel's point up in the colour textures (γ_t and γ_{t+1}, mixed during a glide). The picture
// is the one the direct drawing gives, pixel for pixel; a step costs ~10 ms at any N. While the
// mouse turns the view, large clouds are drawn directly from a fixed random subset
// (LOD_POINTS), so the drag keeps its frame rate; all points come back on release.

const LOD_POINTS = 20000; // drawn while turning (software WebGL: ~10 ms); all of them at rest
const TWO_PASS_POINTS = 30000; // from here on the colour pass (~9 ms) beats drawing every point
const ZOOM_PAUSE_MS = 150; // a wheel pause this long ends a zoom
const TEXTURE_WIDTH = 4096; // colour textures: N texels, row-major, this wide (a power of two)

// direct drawing: two colourings and a mix (a glide fades the points from γ_t to γ_{t+1})
const VERTEX = `
attribute vec3 a_position;
attribute vec3 a_color0;
attribute vec3 a_color1;
uniform mat4 u_matrix;
uniform float u_size;
uniform float u_mix;
varying vec3 v_color;
void main() {
  gl_Position = u_matrix * vec4(a_position, 1.0);
  gl_PointSize = u_size;
  v_color = mix(a_color0, a_color1, u_mix);
}`;

const DISC = `
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;`;

const FRAGMENT = `
precision mediump float;
varying vec3 v_color;
void main() {${DISC}
  gl_FragColor = vec4(v_color, 1.0);
}`;

// index pass: the point's index n as bytes (n mod 256, ⌊n/256⌋ mod 256, ⌊n/65536⌋, 255)
const INDEX_VERTEX = `
attribute vec3 a_position;
attribute vec4 a_index;
uniform mat4 u_matrix;
uniform float u_size;
varying vec4 v_index;
void main() {
  gl_Position = u_matrix * vec4(a_position, 1.0);
  gl_PointSize = u_size;
  v_index = a_index;
}`;

const INDEX_FRAGMENT = `
precision mediump float;
varying vec4 v_index;
void main() {${DISC}
  gl_FragColor = v_index;
}`;

// colour pass: pixel → its point's index → its colour (texel n of the colour textures); highp:
// the index needs 24 bits
const QUAD_VERTEX = `
attribute vec2 a_corner;
void main() { gl_Position = vec4(a_corner, 0.0, 1.0); }`;

const COLOUR_FRAGMENT = `
precision highp float;
uniform sampler2D u_index;
uniform sampler2D u_color0;
uniform sampler2D u_color1;
uniform vec2 u_viewport;
uniform vec2 u_texture;
uniform float u_mix;
void main() {
  vec4 e = texture2D(u_index, gl_FragCoord.xy / u_viewport);
  if (e.a < 0.5) discard;
  vec3 b = floor(e.rgb * 255.0 + 0.5);
  float n = b.r + 256.0 * b.g + 65536.0 * b.b;
  float row = floor(n / u_texture.x);
  vec2 uv = (vec2(n - row * u_texture.x, row) + 0.5) / u_texture;
  vec3 c = mix(texture2D(u_color0, uv).rgb, texture2D(u_color1, uv).rgb, u_mix);
  gl_FragColor = vec4(c, 1.0);
}`;

function compile(gl, type, source) {
  const shader = gl.createShader(type);
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    throw new Error("gmmlearn: shader: " + gl.getShaderInfoLog(shader));
  }
  return shader;
}

function linkProgram(gl, vertex, fragment, attributes, uniforms) {
  const program = gl.createProgram();
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertex));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error("gmmlearn: program: " + gl.getProgramInfoLog(program));
  }
  const loc = { program };
  for (const a of attributes) loc[a] = gl.getAttribLocation(program, `a_${a}`);
  for (const u of uniforms) loc[u] = gl.getUniformLocation(program, `u_${u}`);
  return loc;
}

function nearestTexture(gl) {
  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  for (const [name, value] of [
    [gl.TEXTURE_MIN_FILTER, gl.NEAREST],
    [gl.TEXTURE_MAG_FILTER, gl.NEAREST],
    [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE],
    [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE],
  ]) {
    gl.texParameteri(gl.TEXTURE_2D, name, value);
  }
  return texture;
}

// A fixed random subset of m of the N points (the same at every drag): a partial Fisher–Yates
// shuffle with a small deterministic generator
function subsetIndices(N, m) {
  const order = new Uint32Array(N);
  for (let n = 0; n < N; n++) order[n] = n;
  let seed = 0x9e3779b9;
  for (let i = 0; i < m; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = i + (seed % (N - i));
    const v = order[i];
    order[i] = order[j];
    order[j] = v;
  }
  return order.slice(0, m).sort();
}

class IndexPass {
  // the offscreen texture of point indices and its depth buffer, redrawn when `key` changes
  constructor(gl) {
    this.gl = gl;
    this.program = linkProgram(gl, INDEX_VERTEX, INDEX_FRAGMENT, ["position", "index"], [
      "matrix", "size",
    ]);
    this.texture = nearestTexture(gl);
    this.depth = gl.createRenderbuffer();
    this.framebuffer = gl.createFramebuffer();
    this.size = [0, 0];
    this.key = null;
  }

  resize(w, h) {
    const gl = this.gl;
    if (this.size[0] === w && this.size[1] === h) return;
    this.size = [w, h];
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
    gl.bindRenderbuffer(gl.RENDERBUFFER, this.depth);
    gl.renderbufferStorage(gl.RENDERBUFFER, gl.DEPTH_COMPONENT16, w, h);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.texture, 0);
    gl.framebufferRenderbuffer(gl.FRAMEBUFFER, gl.DEPTH_ATTACHMENT, gl.RENDERBUFFER, this.depth);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.key = null;
  }

  draw(layer, matrix, size, count) {
    const gl = this.gl;
    const p = this.program;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.useProgram(p.program);
    gl.uniformMatrix4fv(p.matrix, false, matrix);
    gl.uniform1f(p.size, size);
    layer.resetAttributes();
    layer.attribute(p.position, layer.positionBuffer, 3, gl.FLOAT, false);
    layer.attribute(p.index, layer.indexBuffer, 4, gl.UNSIGNED_BYTE, true);
    gl.drawArrays(gl.POINTS, 0, count);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }
}

class PointLayer {
  constructor(canvas) {
    // no multisampling: the points are discs cut out by `discard`, which it hardly smooths, and
    // without a GPU it halves the frame rate (SwiftShader: 22 → 32 frames/s at 10⁴ points)
    const options = { antialias: false, premultipliedAlpha: true, preserveDrawingBuffer: true };
    this.gl = canvas.getContext("webgl", options) || canvas.getContext("experimental-webgl", options);
    if (!this.gl) return;
    const gl = this.gl;
    this.direct = linkProgram(gl, VERTEX, FRAGMENT, ["position", "color0", "color1"], [
      "matrix", "size", "mix",
    ]);
    this.positionBuffer = gl.createBuffer();
    this.indexBuffer = gl.createBuffer();
    this.subsetPositions = gl.createBuffer();
    this.subsetColors = gl.createBuffer();
    // two colourings, each a buffer (direct drawing) or a texture (the colour pass); its key:
    // which γ, or grey
    this.colorBuffers = [gl.createBuffer(), gl.createBuffer()];
    this.colorTextures = [nearestTexture(gl), nearestTexture(gl)];
    this.slotKeys = [null, null];
    this.slotColors = [null, null];
    this.slots = [0, 0];
    this.mix = 0;
    this.count = 0;
    this.drawn = 0; // points drawn in the last frame (all, or the subset while turning)
    this.attributeCount = gl.getParameter(gl.MAX_VERTEX_ATTRIBS);
    this.indexPass = this.setUpTwoPasses();
  }

  setUpTwoPasses() {
    // the two-pass drawing needs highp in fragment shaders (24-bit indices); else direct
    const gl = this.gl;
    const high = gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT);
    if (!high || high.precision < 23) return null;
    this.colour = linkProgram(gl, QUAD_VERTEX, COLOUR_FRAGMENT, ["corner"], [
      "index", "color0", "color1", "viewport", "texture", "mix",
    ]);
    this.quad = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, this.quad);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    this.maxTexture = gl.getParameter(gl.MAX_TEXTURE_SIZE);
    return new IndexPass(gl);
  }

  resetAttributes() {
    // vertex arrays stay enabled across programs: each pass enables only what it reads
    for (let i = 0; i < this.attributeCount; i++) this.gl.disableVertexAttribArray(i);
  }

  attribute(location, buffer, size, type, normalized) {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, size, type, normalized, 0, 0);
  }

  setPositions(positions) {
    const gl = this.gl;
    const N = positions.length / 3;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.positionBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, positions, gl.STATIC_DRAW);
    this.count = N;
    this.slotKeys = [null, null];
    this.slotColors = [null, null];
    this.texture = [Math.min(TEXTURE_WIDTH, 1 << Math.ceil(Math.log2(Math.max(1, N)))), 0];
    this.texture[1] = Math.max(1, Math.ceil(N / this.texture[0]));
    this.twoPassesFit =
      this.indexPass !== null &&
      N >= TWO_PASS_POINTS &&
      N < 1 << 24 &&
      this.texture[1] <= this.maxTexture;
    if (this.twoPassesFit) this.setIndices(N);
    this.subset = N > LOD_POINTS ? subsetIndices(N, LOD_POINTS) : null;
    if (this.subset) {
      const sub = new Float32Array(3 * LOD_POINTS);
      this.subset.forEach((n, i) => sub.set(positions.subarray(3 * n, 3 * n + 3), 3 * i));
      gl.bindBuffer(gl.ARRAY_BUFFER, this.subsetPositions);
      gl.bufferData(gl.ARRAY_BUFFER, sub, gl.STATIC_DRAW);
      this.subsetKey = null;
    }
  }

  setIndices(N) {
    const gl = this.gl;
    const bytes = new Uint8Array(4 * N);
    for (let n = 0; n < N; n++) {
      bytes[4 * n] = n & 255;
      bytes[4 * n + 1] = (n >> 8) & 255;
      bytes[4 * n + 2] = n >> 16;
      bytes[4 * n + 3] = 255;
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.indexBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, bytes, gl.STATIC_DRAW);
    const [w, h] = this.texture;
    for (const texture of this.colorTextures) {
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB, w, h, 0, gl.RGB, gl.UNSIGNED_BYTE, null);
    }
    this.indexPass.key = null;
  }

  twoPass() {
    // `window.gmmlearnPointDrawing = "direct"` draws every point every frame, as before the two
    // passes (the test comparing both paths' pixels sets it; so can a user whose driver
    // misdraws the offscreen pass)
    return this.twoPassesFit && globalThis.gmmlearnPointDrawing !== "direct";
  }

  upload(slot, key, colors) {
    const gl = this.gl;
    this.slotKeys[slot] = key;
    this.slotColors[slot] = colors;
    if (!this.twoPass()) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuffers[slot]);
      gl.bufferData(gl.ARRAY_BUFFER, colors, gl.DYNAMIC_DRAW);
      return;
    }
    // texel n = point n: the full rows, then what is left of the last one
    const [w] = this.texture;
    const rows = Math.floor(this.count / w);
    const rest = this.count - rows * w;
    gl.bindTexture(gl.TEXTURE_2D, this.colorTextures[slot]);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    if (rows) {
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, rows, gl.RGB, gl.UNSIGNED_BYTE,
        colors.subarray(0, 3 * rows * w));
    }
    if (rest) {
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, rows, rest, 1, gl.RGB, gl.UNSIGNED_BYTE,
        colors.subarray(3 * rows * w, 3 * this.count));
    }
  }

  setColors(from, to, mix) {
    // `from`, `to`: {key, colors()}; a colouring already in a slot is not uploaded again
    // (slots are buffers when drawing directly, textures for the two passes)
    if (this.twoPass() !== this.slotsTwoPass) {
      this.slotKeys = [null, null];
      this.slotsTwoPass = this.twoPass();
    }
    let a = this.slotKeys.indexOf(from.key);
    if (a < 0) {
      a = this.slotKeys[0] === to.key ? 1 : 0;
      this.upload(a, from.key, from.colors());
    }
    let b = a;
    if (to.key !== from.key) {
      b = 1 - a;
      if (this.slotKeys[b] !== to.key) this.upload(b, to.key, to.colors());
    }
    this.slots = [a, b];
    this.mix = mix;
  }

  draw(width, height, dpr, basis, scale, size, turning = false) {
    const gl = this.gl;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, w, h);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    this.drawn = 0;
    if (!this.count) return;
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LEQUAL);
    const kx = (2 * scale) / width;
    const ky = (2 * scale) / height;
    const { right, up, eye } = basis;
    // column-major: clip = (x·right·kx, x·up·ky, -x·eye/2, 1)
    const matrix = new Float32Array([
      right[0] * kx, up[0] * ky, -eye[0] / 2, 0,
      right[1] * kx, up[1] * ky, -eye[1] / 2, 0,
      right[2] * kx, up[2] * ky, -eye[2] / 2, 0,
      0, 0, 0, 1,
    ]);
    this.path = turning && this.subset ? "subset" : this.twoPass() ? "two-pass" : "direct";
    if (this.path === "subset") {
      this.drawSubset(matrix, size * dpr);
    } else if (this.path === "two-pass") {
      this.drawTwoPasses(matrix, size * dpr, w, h);
    } else {
      this.drawDirect(matrix, size * dpr);
    }
  }

  drawDirect(matrix, size) {
    const gl = this.gl;
    const p = this.direct;
    gl.useProgram(p.program);
    gl.uniformMatrix4fv(p.matrix, false, matrix);
    gl.uniform1f(p.size, size);
    this.resetAttributes();
    this.attribute(p.position, this.positionBuffer, 3, gl.FLOAT, false);
    this.attribute(p.color0, this.colorBuffers[this.slots[0]], 3, gl.UNSIGNED_BYTE, true);
    const fading = this.slots[1] !== this.slots[0] && this.mix > 0;
    if (fading) {
      this.attribute(p.color1, this.colorBuffers[this.slots[1]], 3, gl.UNSIGNED_BYTE, true);
    } else {
      // not fading: one colouring read per point (software WebGL pays for every attribute)
      gl.disableVertexAttribArray(p.color1);
      gl.vertexAttrib3f(p.color1, 0, 0, 0);
    }
    gl.uniform1f(p.mix, fading ? this.mix : 0);
    gl.drawArrays(gl.POINTS, 0, this.count);
    this.drawn = this.count;
  }

  drawSubset(matrix, size) {
    // while the view turns: the fixed subset, in the colours of the half-step being reached
    const gl = this.gl;
    const p = this.direct;
    const slot = this.slots[1];
    if (this.subsetKey !== this.slotKeys[slot]) {
      const colors = this.slotColors[slot];
      const sub = new Uint8Array(3 * this.subset.length);
      this.subset.forEach((n, i) => {
        sub[3 * i] = colors[3 * n];
        sub[3 * i + 1] = colors[3 * n + 1];
        sub[3 * i + 2] = colors[3 * n + 2];
      });
      gl.bindBuffer(gl.ARRAY_BUFFER, this.subsetColors);
      gl.bufferData(gl.ARRAY_BUFFER, sub, gl.DYNAMIC_DRAW);
      this.subsetKey = this.slotKeys[slot];
    }
    gl.useProgram(p.program);
    gl.uniformMatrix4fv(p.matrix, false, matrix);
    gl.uniform1f(p.size, size);
    gl.uniform1f(p.mix, 0);
    this.resetAttributes();
    this.attribute(p.position, this.subsetPositions, 3, gl.FLOAT, false);
    this.attribute(p.color0, this.subsetColors, 3, gl.UNSIGNED_BYTE, true);
    gl.disableVertexAttribArray(p.color1);
    gl.vertexAttrib3f(p.color1, 0, 0, 0);
    gl.drawArrays(gl.POINTS, 0, this.subset.length);
    this.drawn = this.subset.length;
  }

  drawTwoPasses(matrix, size, w, h) {
    const gl = this.gl;
    const pass = this.indexPass;
    pass.resize(w, h);
    const key = [w, h, size, this.count, ...matrix].join(",");
    if (pass.key !== key) {
      gl.viewport(0, 0, w, h);
      pass.draw(this, matrix, size, this.count);
      pass.key = key;
    }
    const p = this.colour;
    gl.disable(gl.DEPTH_TEST);
    gl.useProgram(p.program);
    const units = [pass.texture, ...this.slots.map((s) => this.colorTextures[s])];
    units.forEach((texture, i) => {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, texture);
    });
    gl.activeTexture(gl.TEXTURE0);
    gl.uniform1i(p.index, 0);
    gl.uniform1i(p.color0, 1);
    gl.uniform1i(p.color1, 2);
    gl.uniform2f(p.viewport, w, h);
    gl.uniform2f(p.texture, this.texture[0], this.texture[1]);
    gl.uniform1f(p.mix, this.slots[1] !== this.slots[0] ? this.mix : 0);
    this.resetAttributes();
    this.attribute(p.corner, this.quad, 2, gl.FLOAT, false);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    this.drawn = this.count;
  }
}

// ---------------------------------------------------------------------------------------------
// A task run after the events already waiting (a key press is never held up by more than one
// task): a MessageChannel message, not setTimeout(0), which browsers hold back ≥ 4 ms once
// chained five deep — 10⁶ points' colours in 8 ms slices took twice their work that way

class IdleTask {
  constructor() {
    this.channel = new MessageChannel();
    this.job = null;
    this.channel.port1.onmessage = () => {
      const job = this.job;
      this.job = null;
      if (job) job();
    };
  }

  run(job) {
    this.job = job;
    this.channel.port2.postMessage(null);
  }

  cancel() {
    this.job = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: the picture sized from its container and the window (a 720p projector to 1080p)

const SIDE_WIDTH = 332; // the right column (320 px) and the gap
const BELOW_SCENE = 46; // what an explorer keeps under the picture (the texts' header)
const MESSAGE_LINE = 28; // and the first line of its message line (a longer message grows down)

class Layout {
  // With the model's `height` 0 (the default) the scene takes the width its grid cell gives it
  // and the height the visible page leaves under the controls above it: at 1280×720 in
  // JupyterLab controls and picture fit on screen together, at 1920×1080 the picture grows.
  constructor(view) {
    this.view = view;
    // the column beside the picture may scroll (Layout.sceneSize): reachable by the keyboard
    view.side.tabIndex = 0;
    view.side.setAttribute("role", "region");
    view.side.setAttribute("aria-label", "curve, bound and weights of the step shown");
    this.observer = new ResizeObserver(() => view.request());
    this.observer.observe(view.root);
    this.onWindow = () => view.request();
    window.addEventListener("resize", this.onWindow);
  }

  scroller() {
    // what scrolls the notebook in JupyterLab 4 (or 3); null in Voilà and a page: the window
    return this.view.root.closest(".jp-WindowedPanel-outer, .jp-Notebook, .jp-LinkedOutputView");
  }

  visibleHeight() {
    const box = this.scroller();
    return box ? Math.min(box.clientHeight, window.innerHeight) : window.innerHeight;
  }

  controlsAbove() {
    // from the top of the explorer (its widget box; the exported page's body; else the root)
    // to the picture's top
    const view = this.view;
    const outer = view.root.closest(".gmm-explorer") || view.root;
    return Math.max(0, view.scene.getBoundingClientRect().top - outer.getBoundingClientRect().top);
  }

  fitTitle() {
    // the title is as tall as its longest label at this width: a label that wraps onto a
    // second line must not push the picture down for one step and up again at the next
    const view = this.view;
    const labels = (view.meta && view.meta.labels) || [];
    const key = [view.root.clientWidth, view.runsLoaded, labels.length].join(":");
    if (key === this.titleKey || !labels.length) return;
    this.titleKey = key;
    // a title is "what changed — label"; the start's change text is the longest of them
    const label = labels.reduce((a, b) => (b.length > a.length ? b : a), "");
    const longest = `${view.changeText(0)} — ${label}`;
    const shown = view.title.textContent;
    view.title.style.minHeight = "";
    view.title.textContent = longest;
    view.title.style.minHeight = `${Math.ceil(view.title.getBoundingClientRect().height)}px`;
    view.title.textContent = shown;
  }

  sceneSize() {
    const view = this.view;
    this.fitTitle();
    const given = view.scene.clientWidth || view.root.clientWidth - SIDE_WIDTH;
    const width = Math.max(300, Math.floor(given));
    const fixed = view.model.get("height") | 0;
    if (fixed > 0) return [width, fixed];
    const outer = view.root.closest(".gmm-explorer");
    if (outer && outer !== this.watched) {
      // the controls above may grow (a top line that wraps once the run is there) and move
      // the picture down without resizing it: its room is measured again then, not at the
      // next key press (at 10⁶ points a new size costs an index pass, ~0.5 s)
      this.watched = outer;
      this.observer.observe(outer);
    }
    const message = outer && outer.querySelector(".gmm-message-line") ? MESSAGE_LINE : 0;
    const room = this.visibleHeight() - this.controlsAbove() - BELOW_SCENE - message;
    // never far taller than wide, nor taller than a 4K screen needs
    const height = Math.round(Math.max(300, Math.min(room, 1.1 * width, 1400)));
    // the column beside it never makes the explorer taller than the picture: it scrolls
    view.side.style.maxHeight = `${height}px`;
    return [width, height];
  }

  curveHeight(sceneHeight) {
    // the curve gives way first when the column beside the picture would outgrow it; what the
    // rest needs is estimated from the run (the L/KL panel, a key row per component, the note),
    // not measured, so that it is the same at every step
    const meta = this.view.meta;
    const bound = Array.isArray(meta.lower_bounds) ? 230 : 0;
    const others = bound + 26 * meta.n_components + 80;
    return Math.round(Math.max(110, Math.min(240, sceneHeight - others)));
  }

  dispose() {
    this.observer.disconnect();
    window.removeEventListener("resize", this.onWindow);
  }
}

// ---------------------------------------------------------------------------------------------
// Keys: the picture takes the keyboard once clicked (or tabbed to), and says what it shows

const KEYS = [
  ["← / →", "one step back / forward"],
  ["Space", "play / pause"],
  ["Home / End", "first / last step"],
  ["+ / −", "zoom in / out"],
  ["Shift + arrows", "rotate (3-D)"],
  ["Ctrl + Z", "undo the last edit (playground)"],
  ["?", "show / hide these keys"],
  ["wheel", "zoom"],
  ["double-click", "reset the view"],
];

class Keys {
  constructor(view) {
    this.view = view;
    const scene = view.scene;
    scene.tabIndex = 0;
    scene.setAttribute("role", "application");
    // JupyterLab's own shortcuts (arrows select cells, Space scrolls) stay out of the picture
    scene.setAttribute("data-lm-suppress-shortcuts", "true");
    this.live = el("div", "gmm-sr-only", view.root);
    this.live.setAttribute("role", "status");
    this.live.setAttribute("aria-live", "polite");
    this.live.id = `gmm-live-${Math.random().toString(36).slice(2)}`;
    scene.setAttribute("aria-describedby", this.live.id);
    this.help = el("div", "gmm-keys-help", scene);
    this.help.setAttribute("role", "dialog");
    this.help.setAttribute("aria-label", "keys of the picture");
    this.help.hidden = true;
    for (const [key, what] of KEYS) {
      const row = el("div", "gmm-keys-row", this.help);
      el("kbd", "", row).textContent = key;
      el("span", "", row).textContent = what;
    }
    this.timer = null;
    this.said = "";
    this.onDown = () => scene.focus({ preventScroll: true });
    // a visible ring says the picture has the keyboard (a click does not set :focus-visible)
    scene.addEventListener("focus", () => scene.classList.add("gmm-focused"));
    scene.addEventListener("blur", () => scene.classList.remove("gmm-focused"));
    this.onKey = (e) => this.key(e);
    scene.addEventListener("pointerdown", this.onDown);
    scene.addEventListener("keydown", this.onKey);
  }

  label() {
    const meta = this.view.meta || {};
    const what = meta.method === "vb" ? "variational Bayes" : "EM";
    this.view.scene.setAttribute(
      "aria-label",
      `${what} run, ${meta.n_samples || 0} points, K = ${meta.n_components || 0}. ` +
        "Keys: left and right arrows step, Space plays, Home and End go to the first and last " +
        "step, plus and minus zoom, Shift with the arrows rotates, question mark lists the keys."
    );
  }

  lastStep() {
    const meta = this.view.meta;
    return this.view.model.get("half_steps") ? meta.n_half_steps - 1 : meta.n_iter;
  }

  go(step) {
    const model = this.view.model;
    const target = Math.max(0, Math.min(this.lastStep(), step));
    if (target === (model.get("step") | 0)) return;
    model.set("step", target); // a jslinked slider and Play follow in the browser
    model.save_changes();
  }

  playButton() {
    // the explorer's own Play (ipywidgets' play/pause toggle, or the exported page's button)
    const box = this.view.root.closest(".gmm-explorer");
    return box && box.querySelector(".widget-play button, .gmm-play");
  }

  play() {
    // Space presses Play itself: its icon, the kernel and the end of the run then all see one
    // playing state (ControlLabels reads it back into data-playing)
    const button = this.timer ? null : this.playButton();
    if (button) {
      if (!button.disabled) button.click();
      return;
    }
    if (this.timer) {
      this.stop();
      return;
    }
    // a view shown on its own, with no Play beside it: its own timer
    if ((this.view.model.get("step") | 0) >= this.lastStep()) this.go(0);
    const tick = () => {
      const step = this.view.model.get("step") | 0;
      if (step >= this.lastStep()) this.stop();
      else this.go(step + 1);
    };
    this.timer = setInterval(tick, Math.max(10, this.view.model.get("interval") || 250));
    this.view.root.dataset.playing = "1";
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    delete this.view.root.dataset.playing;
  }

  key(e) {
    const view = this.view;
    if (!view.meta || !view.meta.n_samples) return;
    const step = view.model.get("step") | 0;
    const k = e.key;
    let done = true;
    if ((e.ctrlKey || e.metaKey) && (k === "z" || k === "Z")) {
      if (view.model.get("playground")) view.model.send({ event: "undo" });
    } else if (e.shiftKey && k.startsWith("Arrow")) {
      if (view.flat) return;
      const d = { ArrowLeft: [0, 5], ArrowRight: [0, -5], ArrowUp: [5, 0], ArrowDown: [-5, 0] }[k];
      view.elev = Math.max(-90, Math.min(90, view.elev + d[0]));
      view.azim += d[1];
      view.request();
      const { elev, azim } = view; // read before: setting elev fires the turn handler
      view.model.set("elev", elev);
      view.model.set("azim", azim);
      view.model.save_changes();
    } else if (e.ctrlKey || e.metaKey || e.altKey) {
      return; // the browser's and JupyterLab's own shortcuts
    } else if (k === "ArrowRight") this.go(step + 1);
    else if (k === "ArrowLeft") this.go(step - 1);
    else if (k === "Home") this.go(0);
    else if (k === "End") this.go(this.lastStep());
    else if (k === " " || k === "Spacebar") this.play();
    else if (k === "+" || k === "=") view.setZoom(view.zoom * 1.25);
    else if (k === "-" || k === "_") view.setZoom(view.zoom / 1.25);
    else if (k === "?") this.help.hidden = !this.help.hidden;
    else if (k === "Escape" && !this.help.hidden) this.help.hidden = true;
    else done = false;
    if (!done) return;
    e.preventDefault(); // no page scroll, no notebook shortcut
    e.stopPropagation();
  }

  describe(h) {
    // the aria-live text of the half-step shown, once the picture rests there (not per frame
    // of Play: a screen reader would only stutter)
    const meta = this.view.meta;
    const t = meta.params_index[h];
    const curve = meta.log_likelihoods[t];
    const weights = meta.weights[t].map((w, k) => `π${subscript(k + 1)} ${w.toFixed(2)}`);
    const text =
      `${meta.labels[h]}. ` +
      (curve === null ? "" : `${meta.curve_label || "ln p"} = ${curve.toFixed(2)}. `) +
      `Weights: ${weights.join(", ")}.`;
    this.view.root.dataset.description = text;
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => {
      if (text !== this.said) this.live.textContent = this.said = text;
    }, this.view.root.dataset.playing ? 1500 : 250);
  }

  dispose() {
    this.stop();
    clearTimeout(this.quiet);
    this.view.scene.removeEventListener("pointerdown", this.onDown);
    this.view.scene.removeEventListener("keydown", this.onKey);
  }
}

// ---------------------------------------------------------------------------------------------
// ControlLabels: names for the ipywidgets controls around the picture that have none of their
// own (Play's icon buttons, the sliders' handles), so that a screen reader can say each one

const ICON_NAMES = {
  "fa-play": "play",
  "fa-pause": "pause",
  "fa-stop": "stop and rewind",
  "fa-retweet": "repeat at the end",
};

class ControlLabels {
  constructor(view) {
    this.view = view;
    this.observer = new MutationObserver(() => this.apply());
    // the explorer's box appears once the whole output is attached: look again then
    this.timer = setTimeout(() => this.start(), 0);
  }

  start() {
    const box = this.view.root.closest(".gmm-explorer");
    if (!box) return;
    this.box = box;
    this.apply();
    // Play flips its icon's class (▶ ↔ ❚❚) whatever started it: Space, a click, the run's end
    this.observer.observe(box, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class"],
    });
  }

  apply() {
    for (const button of this.box.querySelectorAll("button")) {
      if (button.textContent.trim()) continue;
      const icon = button.querySelector("i");
      const name = icon && Object.keys(ICON_NAMES).find((c) => icon.classList.contains(c));
      if (name && button.getAttribute("aria-label") !== ICON_NAMES[name]) {
        button.setAttribute("aria-label", ICON_NAMES[name]);
      }
    }
    this.showPlaying();
    for (const slider of this.box.querySelectorAll(".widget-slider")) {
      const label = slider.querySelector(".widget-label");
      const handle = slider.querySelector("[role=slider]");
      if (handle && label && !handle.getAttribute("aria-label")) {
        handle.setAttribute("aria-label", label.textContent.trim() || "value");
      }
    }
  }

  showPlaying() {
    // data-playing follows the explorer's Play (its pause icon, or the page's "pause" text)
    const toggle = this.view.keys.playButton();
    if (!toggle || this.view.keys.timer) return;
    const playing = toggle.querySelector(".fa-pause") || /pause/.test(toggle.textContent);
    if (playing) this.view.root.dataset.playing = "1";
    else delete this.view.root.dataset.playing;
  }

  dispose() {
    clearTimeout(this.timer);
    this.observer.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// The view

class TraceView {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    root.classList.add("gmm-webview");
    this.title = el("div", "gmm-title", root);
    this.scene = el("div", "gmm-scene", root);
    this.back = el("canvas", "gmm-back", this.scene);
    this.glCanvas = el("canvas", "gmm-points", this.scene);
    this.front = el("canvas", "gmm-front", this.scene);
    this.side = el("div", "gmm-side", root);
    this.curveCanvas = el("canvas", "gmm-curve", this.side);
    this.bound = el("div", "gmm-bound", this.side);
    this.boundTitle = el("div", "gmm-bound-title", this.bound);
    this.boundCanvas = el("canvas", "gmm-bound-bars", this.bound);
    this.boundNumbers = el("div", "gmm-bound-numbers", this.bound);
    this.key = el("div", "gmm-key", this.side);
    this.note = el("div", "gmm-note", this.side);
    // smooth motion on or off (a jump per half-step, as before)
    const toggle = el("label", "gmm-glide", this.side);
    this.glideBox = el("input", "", toggle);
    this.glideBox.type = "checkbox";
    el("span", "", toggle).textContent = " glide between half-steps";
    this.glideBox.addEventListener("change", () => {
      this.model.set("glide", this.glideBox.checked);
      this.model.save_changes();
      this.syncGlideToggle();
    });
    this.syncGlideToggle();
    this.framesDrawn = 0;
    this.pending = false;
    this.prefetchTask = new IdleTask();
    this.turning = false;
    this.zoomingUntil = 0;
    this.width = 600;
    this.zoom = 1;
    this.elev = model.get("elev");
    this.azim = model.get("azim");
    // where a double-click goes back to (a drag writes its angle into the model)
    this.home = { elev: this.elev, azim: this.azim };
    this.keys = new Keys(this);
    this.controlLabels = new ControlLabels(this);
    this.points = new PointLayer(this.glCanvas);
    if (!this.points.gl) {
      const message = el("div", "gmm-message", this.scene);
      message.textContent =
        "This browser has no WebGL, so the 3-D view cannot be drawn here. " +
        'The explorer switches to its matplotlib view; or call explore(X, view="matplotlib").';
      model.set("webgl", "missing");
      model.save_changes();
    } else if (model.get("webgl") !== "ok") {
      model.set("webgl", "ok");
      model.save_changes();
    }
    this.load();
    this.listen();
  }

  // -- data -------------------------------------------------------------------------------
  load() {
    // the L/KL split may follow the run a moment later (the `bounds` trait): laid over meta
    const meta = { ...(this.model.get("meta") || {}), ...(this.model.get("bounds") || {}) };
    this.meta = meta;
    if (!meta.n_samples) return;
    const positionsView = this.model.get("positions");
    const samePoints = positionsView === this.positionsView; // a K or colouring change
    this.positionsView = positionsView;
    this.positions = asArray(Float32Array, positionsView);
    this.ellipsoids = asArray(Float32Array, this.model.get("ellipsoids"));
    this.gamma = gammaData(
      meta,
      this.positions,
      asArray(Float32Array, this.model.get("extra")),
      asArray(Float64Array, this.model.get("terms"))
    );
    this.rgbUnit = meta.colors.map((c) => hexToRgb(c).map((v) => v / 255));
    this.frames = new Map(); // colour key → {colors, main}, the last COLOUR_CACHE looked at
    this.partialFrames = new Map(); // colour key → {frame, next}: a prefetch under way
    this.glide = null;
    this.shown = null; // the half-step on screen (a glide's target once it ends)
    this.lastChange = null;
    this.flat = meta.n_dims === 2;
    this.dragMean = null;
    this.runsLoaded = (this.runsLoaded || 0) + 1;
    this.hoverIndex = null;
    this.root.dataset.nSamples = String(meta.n_samples);
    this.rgb = meta.colors.map(hexToRgb);
    this.root.dataset.ranges = JSON.stringify(meta.ranges); // the axes (tests: fixed axes)
    this.pointSize = Math.max(2, Math.min(7, 6 * Math.sqrt(3000 / meta.n_samples)));
    if (this.points.gl && !samePoints) this.points.setPositions(this.positions);
    if (this.points.gl) this.points.slotKeys = [null, null]; // the colourings are new
    this.buildKey();
    this.keys.label();
    this.note.textContent =
      meta.sigmas.map((s) => `${s}σ`).join(" and ") +
      (this.flat ? " ellipses" : " ellipsoids") +
      (meta.method === "vb"
        ? " of E[Λₖ]⁻¹ = Wₖ⁻¹/νₖ, opacity ∝ E[πₖ] (full from 1/K). "
        : ", opacity ∝ π. ") +
      (this.flat
        ? this.model.get("playground")
          ? "Drag a mean: EM restarts there · click: add a point · shift-click: remove one · " +
            "hover: its γ."
          : "Wheel: zoom."
        : "Drag: rotate · wheel: zoom.") +
      " Click the picture, then ←/→ step, ? all keys.";
    this.request();
  }

  buildKey() {
    this.key.textContent = "";
    this.keyRows = this.meta.colors.map((color, k) => {
      const row = el("div", "gmm-key-row", this.key);
      const swatch = el("span", "gmm-swatch", row);
      swatch.style.background = color;
      const text = el("span", "", row);
      const bar = el("span", "gmm-bar", row);
      bar.style.background = color;
      const pi = `π${subscript(k + 1)}`;
      return { row, text, bar, name: this.meta.method === "vb" ? `E[${pi}]` : pi };
    });
  }

  listen() {
    const model = this.model;
    const redraw = () => this.request();
    const turn = () => {
      this.elev = model.get("elev");
      this.azim = model.get("azim");
      this.request();
    };
    this.handlers = [
      ["change:step", () => this.stepChanged()],
      ["change:half_steps", redraw],
      ["change:glide", () => this.syncGlideToggle()],
      ["change:height", redraw],
      ["change:meta", () => this.load()],
      [
        "change:bounds",
        () => {
          Object.assign(this.meta, model.get("bounds"));
          this.request();
        },
      ],
      ["change:elev", turn],
      ["change:azim", turn],
    ];
    for (const [event, handler] of this.handlers) model.on(event, handler);

    const scene = this.scene;
    let drag = null;
    scene.addEventListener("pointerdown", (e) => {
      if (this.flat) {
        this.playgroundDown(e);
        return;
      }
      drag = { x: e.clientX, y: e.clientY, elev: this.elev, azim: this.azim };
      this.turning = true;
      scene.setPointerCapture(e.pointerId);
      scene.classList.add("gmm-dragging");
    });
    scene.addEventListener("pointermove", (e) => {
      if (this.press) this.playgroundMove(e);
      else if (this.flat) this.hover(e);
      if (!drag) return;
      this.azim = drag.azim - (e.clientX - drag.x) * 0.5;
      this.elev = Math.max(-90, Math.min(90, drag.elev + (e.clientY - drag.y) * 0.5));
      this.request();
    });
    const end = (e) => {
      if (this.press) this.playgroundUp(e);
      if (!drag) return;
      drag = null;
      this.turning = false;
      this.request(); // all the points again
      scene.classList.remove("gmm-dragging");
      if (scene.hasPointerCapture(e.pointerId)) scene.releasePointerCapture(e.pointerId);
      // the kernel learns the angle once, at the end (exports start from it); both values are
      // read first: setting elev fires `turn`, which read the old azim back (the view snapped
      // back to its azimuth at every release)
      const { elev, azim } = this;
      model.set("elev", elev);
      model.set("azim", azim);
      model.save_changes();
    };
    scene.addEventListener("pointerup", end);
    scene.addEventListener("pointerleave", () => {
      if (this.hoverIndex === null || this.hoverIndex === undefined) return;
      this.hoverIndex = null;
      this.showHover();
    });
    scene.addEventListener("pointercancel", end);
    scene.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        // a wheel turn is many events: thinned until it pauses, then all the points again
        this.zoomingUntil = performance.now() + ZOOM_PAUSE_MS;
        clearTimeout(this.zoomTimer);
        this.zoomTimer = setTimeout(() => this.request(), ZOOM_PAUSE_MS + 10);
        this.setZoom(this.zoom * Math.exp(-e.deltaY * 0.0015));
      },
      { passive: false }
    );
    scene.addEventListener("dblclick", () => {
      clearTimeout(this.clickTimer); // a double-click resets the view, it adds no point
      this.clickTimer = null;
      this.zoom = 1;
      model.set("elev", this.home.elev);
      model.set("azim", this.home.azim);
      model.save_changes();
      this.elev = this.home.elev;
      this.azim = this.home.azim;
      this.request();
    });
    this.layout = new Layout(this);
  }

  setZoom(zoom) {
    this.zoom = Math.max(0.4, Math.min(12, zoom));
    this.request();
  }

  // -- the 2-D playground: drag a mean to start EM again from there, click to add a point ----
  // (only with the model's `playground` on; the kernel runs EM again and sends the new run)
  localPoint(e) {
    const rect = this.front.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  toData(x, y) {
    // screen → cube → data coordinates (2-D: the screen axes are the cube's x and y)
    const cube = [(x - this.width / 2) / this.scale, (this.height / 2 - y) / this.scale];
    return cube.map((c, i) => {
      const [low, high] = this.meta.ranges[i];
      return (low + high) / 2 + (c * (high - low)) / 2;
    });
  }

  meanAt(x, y) {
    let best = null;
    (this.meanScreen || []).forEach(([mx, my], k) => {
      const d = Math.hypot(mx - x, my - y);
      if (d <= 16 && (!best || d < best.d)) best = { k, d };
    });
    return best ? best.k : null;
  }

  playgroundDown(e) {
    if (!this.model.get("playground")) return;
    const [x, y] = this.localPoint(e);
    // shift: remove the point under the pointer (never drags a mean)
    this.press = { x, y, k: e.shiftKey ? null : this.meanAt(x, y), moved: false, shift: e.shiftKey };
    this.scene.setPointerCapture(e.pointerId);
    if (this.hoverBox) {
      this.hoverIndex = null; // the γ box would hide what is dragged
      this.showHover();
    }
  }

  playgroundMove(e) {
    const press = this.press;
    const [x, y] = this.clampToBox(this.localPoint(e));
    if (Math.hypot(x - press.x, y - press.y) > 4) press.moved = true;
    if (press.k !== null && press.moved) {
      this.dragMean = { k: press.k, x, y };
      this.request();
    }
  }

  clampToBox([x, y]) {
    // a drop outside the axes box lands on its edge: nothing is placed where it is not drawn
    const [x0, y0] = this.project([-1, 1, 0]);
    const [x1, y1] = this.project([1, -1, 0]);
    return [Math.max(x0, Math.min(x1, x)), Math.max(y0, Math.min(y1, y))];
  }

  playgroundUp(e) {
    const press = this.press;
    this.press = null;
    if (this.scene.hasPointerCapture(e.pointerId)) this.scene.releasePointerCapture(e.pointerId);
    const [x, y] = this.clampToBox(this.localPoint(e));
    if (press.k !== null && press.moved) {
      // the cross stays where it was dropped until the new run arrives
      this.dragMean = { k: press.k, x, y };
      this.model.send({ event: "move_mean", k: press.k, position: this.toData(x, y) });
    } else if (press.shift && !press.moved) {
      const n = this.pointAt(x, y);
      if (n !== null) this.model.send({ event: "remove_point", index: n });
    } else if (press.k === null && !press.moved) {
      // wait a moment: the first click of a double-click (reset the view) adds nothing
      const position = this.toData(x, y);
      clearTimeout(this.clickTimer);
      this.clickTimer = setTimeout(() => {
        this.clickTimer = null;
        this.model.send({ event: "add_point", position });
      }, 300);
    }
    this.request();
  }

  pointAt(x, y, radius = 8) {
    // the point nearest to the pointer within `radius` pixels (2-D), or null
    const P = this.positions;
    if (!P || !this.project) return null;
    const cx = this.width / 2;
    const cy = this.height / 2;
    const s = this.scale;
    let best = null;
    let bestD = radius * radius;
    for (let n = 0; n < P.length / 3; n++) {
      const dx = cx + P[3 * n] * s - x;
      const dy = cy - P[3 * n + 1] * s - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = n;
      }
    }
    return best;
  }

  hover(e) {
    // hover a point: its row of γ, computed here from the θ that coloured it (no kernel)
    if (!this.model.get("playground") || !this.meta.n_samples) return;
    const [x, y] = this.localPoint(e);
    this.scene.style.cursor = this.meanAt(x, y) !== null ? "move" : "crosshair";
    const n = this.pointAt(x, y);
    if (n !== this.hoverIndex) {
      this.hoverIndex = n;
      this.showHover();
    }
  }

  showHover() {
    const n = this.hoverIndex;
    if (!this.hoverBox) {
      this.hoverRing = el("div", "gmm-hover-ring", this.scene); // which point is read
      this.hoverBox = el("div", "gmm-hover", this.scene);
    }
    const box = this.hoverBox;
    if (n === null || n === undefined || !this.meta.n_samples || n >= this.meta.n_samples) {
      box.style.display = "none";
      this.hoverRing.style.display = "none";
      delete this.root.dataset.hoverGamma;
      return;
    }
    const meta = this.meta;
    // half-step 0 (grey): the γ the first E-step will give
    const r = Math.max(0, meta.color_index[this.halfStep()]);
    const gamma = Array.from(responsibilities(this.gamma, r, n, n + 1));
    const [x, y] = this.toData(
      this.width / 2 + this.positions[3 * n] * this.scale,
      this.height / 2 - this.positions[3 * n + 1] * this.scale
    );
    box.textContent = "";
    el("div", "gmm-hover-title", box).textContent =
      `point ${n + 1} (${x.toPrecision(3)}, ${y.toPrecision(3)}) · γ(θ${subscript(r)}):`;
    gamma.forEach((g, k) => {
      const row = el("div", "gmm-hover-row", box);
      const swatch = el("span", "gmm-swatch", row);
      swatch.style.background = meta.colors[k];
      el("span", "", row).textContent = `γ${subscript(n + 1)},${subscript(k + 1)} = ${g.toFixed(3)}`;
    });
    const px = this.width / 2 + this.positions[3 * n] * this.scale;
    const py = this.height / 2 - this.positions[3 * n + 1] * this.scale;
    this.hoverRing.style.display = "block";
    this.hoverRing.style.left = `${px - 9}px`;
    this.hoverRing.style.top = `${py - 9}px`;
    box.style.display = "block";
    // right of the point, or left of it where the box would run past the scene's edge
    const w = box.offsetWidth, h = box.offsetHeight;
    const left = px + 14 + w <= this.width ? px + 14 : px - 14 - w;
    box.style.left = `${Math.max(0, left)}px`;
    box.style.top = `${Math.max(4, Math.min(py + 14, this.height - h - 4))}px`;
    this.root.dataset.hoverGamma = JSON.stringify({ n, gamma });
  }

  // -- colours and glides ---------------------------------------------------------------
  colourEntry(r) {
    // γ(θ_r)'s colours, computed once and kept while looked at; r = −1: grey (not assigned)
    let entry = this.frames.get(r);
    if (entry) {
      this.frames.delete(r); // most recently used last
    } else if (r < 0) {
      const colors = new Uint8Array(this.meta.n_samples * 3);
      colors.fill(hexToRgb(this.meta.unassigned_color || "#c4c4c4")[0]);
      entry = { colors, main: null };
    } else {
      // what a prefetch has done already is kept: only the rows left are computed now
      const part = this.partialFrames.get(r) || { frame: null, next: 0 };
      this.partialFrames.delete(r);
      entry = colourFrame(this.gamma, r, this.rgbUnit, this.meta.component ?? null, part.next,
        this.meta.n_samples, part.frame);
    }
    this.remember(r, entry);
    return entry;
  }

  remember(r, entry) {
    this.frames.set(r, entry);
    while (this.frames.size > COLOUR_CACHE) this.frames.delete(this.frames.keys().next().value);
  }

  colourSource(r) {
    return { key: r, colors: () => this.colourEntry(r).colors };
  }

  prefetch(h) {
    // the colourings of the neighbouring half-steps, while nobody waits (Play and → then find
    // them ready); a few milliseconds of rows per task, so that a key press is never held up
    const meta = this.meta;
    // an E-step's title counts the points that changed: the colouring before it comes first
    const first = meta.phases[h] === "E" ? [h - 1] : [];
    const wanted = [...first, h + 1, h + 2, h - 1]
      .filter((i) => i >= 0 && i < meta.n_half_steps)
      .map((i) => meta.color_index[i])
      .filter((r) => r >= 0 && !this.frames.has(r));
    this.prefetchTask.cancel();
    if (!wanted.length) return;
    this.prefetchTask.run(() => {
      if (this.meta !== meta || this.glide) return;
      const r = wanted[0];
      const N = meta.n_samples;
      const part = this.partialFrames.get(r) || {
        frame: { colors: new Uint8Array(N * 3), main: new Uint8Array(N) },
        next: 0,
      };
      const start = performance.now();
      while (part.next < N && performance.now() - start < 8) {
        const end = Math.min(N, part.next + BLOCK);
        colourFrame(this.gamma, r, this.rgbUnit, meta.component ?? null, part.next, end,
          part.frame);
        part.next = end;
      }
      if (part.next < N) {
        this.partialFrames.set(r, part);
      } else {
        this.partialFrames.delete(r);
        // evicted before the frame on screen
        this.frames.set(r, part.frame);
        const now = this.halfStep();
        const shown = meta.color_index[now];
        if (this.frames.has(shown)) this.colourEntry(shown);
        while (this.frames.size > COLOUR_CACHE) {
          this.frames.delete(this.frames.keys().next().value);
        }
        // the title waited for this colouring to count the points an E-step moved
        if (meta.phases[now] === "E" && r === meta.color_index[now - 1]) this.request();
      }
      this.prefetch(h);
    });
  }

  syncGlideToggle() {
    const on = this.model.get("glide") !== false;
    this.glideBox.checked = on;
    this.root.dataset.glide = on ? "on" : "off";
    if (!on && this.glide) {
      this.glide = null;
      this.request();
    }
  }

  stepChanged() {
    // glide from what is on screen to the new half-step; a change during a glide jumps to its
    // target (a key press is never kept waiting), and so does every change at Play's fastest
    const target = this.meta.n_samples ? this.halfStep() : null;
    const now = performance.now();
    const gap = this.lastChange === null ? Infinity : now - this.lastChange;
    this.lastChange = now;
    const duration = Math.min(GLIDE_MS, 0.85 * gap);
    if (this.glide) {
      this.glide = null;
    } else if (
      this.model.get("glide") !== false &&
      this.shown !== null &&
      target !== null &&
      this.shown !== target &&
      duration >= 40
    ) {
      this.glide = { from: this.shown, to: target, start: now, duration };
    }
    this.request();
  }

  componentState(t0, t1, u) {
    // per component: mean and A (12 numbers), ellipse and mean opacity, weight; between θ_t0
    // and θ_t1 at u ∈ [0, 1]
    const meta = this.meta;
    const K = meta.n_components;
    const E = this.ellipsoids;
    const mix = (a, b) => (1 - u) * a + u * b;
    const rows = [];
    for (let k = 0; k < K; k++) {
      const o0 = (t0 * K + k) * 12;
      const o1 = (t1 * K + k) * 12;
      rows.push(t0 === t1 || u === 0 ? E.subarray(o0, o0 + 12) : mixEllipsoid(E, o0, o1, u));
    }
    const pick = (table) =>
      table ? table[t0].map((v, k) => mix(v, table[t1][k])) : new Array(K).fill(1);
    return {
      rows,
      alphas: pick(meta.alphas),
      meanAlphas: pick(meta.mean_alphas),
      weights: pick(meta.weights),
    };
  }

  changeText(h) {
    // what half-step h changed, in plain words with a number
    const meta = this.meta;
    const phase = meta.phases[h];
    const vb = meta.method === "vb";
    if (phase === "init") {
      return (
        `${vb ? "q₀" : "θ₀"}, the starting point: no point is assigned yet (grey); ` +
        "the first E-step colours them"
      );
    }
    const t = (h + 1) >> 1;
    if (phase === "E") {
      const r = meta.color_index[h];
      const before = meta.color_index[h - 1];
      if (before < 0) {
        return `E-step: all ${groupDigits(meta.n_samples)} points get their colours ` +
          `${vb ? "r" : "γ"}(${vb ? "q" : "θ"}${subscript(r)})`;
      }
      const now = this.frames.get(r);
      const old = this.frames.get(before);
      if (!now || !old || !now.main || !old.main) return "E-step: colours recomputed";
      let changed = 0;
      for (let n = 0; n < now.main.length; n++) if (now.main[n] !== old.main[n]) changed++;
      return `E-step: ${groupDigits(changed)} point${changed === 1 ? "" : "s"} changed ` +
        `${changed === 1 ? "its" : "their"} main component`;
    }
    const move = meta.mean_moves && meta.mean_moves[t];
    const curve = meta.log_likelihoods;
    const parts = [];
    if (move) parts.push(`${vb ? "m" : "μ"}${subscript(move[0] + 1)} moved ${formatChange(move[1])}`);
    if (curve[t] !== null && curve[t - 1] !== null) {
      const delta = curve[t] - curve[t - 1];
      parts.push(`${vb ? "the bound" : "ln p"} ${delta >= 0 ? "+" : ""}${formatChange(delta)}`);
    }
    return `M-step: ${parts.join(", ") || "θ re-estimated"}`;
  }

  dispose() {
    this.prefetchTask.cancel();
    clearTimeout(this.zoomTimer);
    for (const [event, handler] of this.handlers) this.model.off(event, handler);
    this.layout.dispose();
    this.keys.dispose();
    this.controlLabels.dispose();
  }

  // -- drawing ----------------------------------------------------------------------------
  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  halfStep() {
    const meta = this.meta;
    const step = this.model.get("step") | 0;
    const index = this.model.get("half_steps") ? step : 2 * step;
    return Math.max(0, Math.min(meta.n_half_steps - 1, index));
  }

  draw() {
    const meta = this.meta;
    if (!meta || !meta.n_samples) return;
    const h = this.halfStep();
    const t = meta.params_index[h];
    // a glide: θ and colours between the half-step it left and h
    let glide = this.glide;
    let u = 1;
    if (glide && glide.to !== h) glide = this.glide = null;
    if (glide) {
      u = Math.min(1, (performance.now() - glide.start) / glide.duration);
      if (u >= 1) glide = this.glide = null;
    }
    const from = glide ? glide.from : h;
    const mix = glide ? smoothstep(u) : 1;
    const dpr = window.devicePixelRatio || 1;
    const [width, height] = this.layout.sceneSize();
    if (width !== this.width || height !== this.height || dpr !== this.dpr) {
      this.width = width;
      this.height = height;
      this.dpr = dpr;
      this.scene.style.height = `${height}px`;
      for (const canvas of [this.back, this.glCanvas, this.front]) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
    }
    const basis = cameraBasis(this.elev, this.azim, this.flat);
    const scale = this.zoom * this.fitScale(width, height);
    this.scale = scale;
    this.project = (p) => [
      width / 2 + dot(p, basis.right) * scale,
      height / 2 - dot(p, basis.up) * scale,
    ];
    this.drawAxes(basis);
    if (this.points.gl) {
      const r0 = meta.color_index[from];
      const r1 = meta.color_index[h];
      this.points.setColors(this.colourSource(r0), this.colourSource(r1), mix);
      // while the mouse turns the view or the wheel zooms, a large cloud is drawn thinned
      const turning = this.turning || performance.now() < this.zoomingUntil;
      this.points.draw(width, height, dpr, basis, scale, this.pointSize, turning);
      this.root.dataset.pointsDrawn = String(this.points.drawn);
      this.root.dataset.pointPath = this.points.path;
    }
    const state = this.componentState(meta.params_index[from], t, mix);
    this.drawComponents(state, basis, scale);
    this.drawCurve(h, t);
    this.drawBound(h);
    this.updateKey(state.weights);
    // an in-between frame is a transition, not a state: the title says so
    // meta.running: the run is still computed in the kernel (θ₀ alone is here)
    this.title.textContent = glide
      ? `→ half-step ${h}: ${this.changeText(h)} (transition from half-step ${from})`
      : `${this.changeText(h)} — ${meta.running || meta.labels[h]}`;
    this.keys.describe(h);
    this.framesDrawn += 1;
    this.root.dataset.halfStep = String(h);
    this.root.dataset.transition = glide ? "1" : "0";
    if (glide) {
      this.request(); // the next frame of the glide
    } else {
      this.shown = h;
      this.prefetch(h);
    }
    this.root.dataset.meanPositions = JSON.stringify(
      this.meanScreen.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10])
    );
    this.root.dataset.framesDrawn = String(this.framesDrawn);
    this.root.dataset.runDrawn = String(this.runsLoaded);
    // cube → pixels (2-D: x = width/2 + c₁·scale, y = height/2 − c₂·scale), for tests and tools
    this.root.dataset.sceneScale = JSON.stringify([width, height, scale]);
    if (this.hoverBox) this.showHover(); // the γ row of the step now shown
  }

  fitScale(width, height) {
    // pixels per cube unit so that the box and its labels fit at the model's own angle; kept
    // while the mouse turns the view (a box that breathes during a drag is hard to follow)
    const elev = this.model.get("elev");
    const azim = this.model.get("azim");
    const key = [width, height, elev, azim, this.flat].join(":");
    if (key !== this.fitKey) {
      const basis = cameraBasis(elev, azim, this.flat);
      const xs = [];
      const ys = [];
      for (const a of [-1, 1]) {
        for (const b of [-1, 1]) {
          for (const c of this.flat ? [0] : [-1, 1]) {
            xs.push(dot([a, b, c], basis.right));
            ys.push(dot([a, b, c], basis.up));
          }
        }
      }
      const spanX = Math.max(...xs) - Math.min(...xs);
      const spanY = Math.max(...ys) - Math.min(...ys);
      // room for tick labels and axis names: about 70 px each side, 60 above and below
      this.fit = Math.max(20, Math.min((width - 140) / spanX, (height - 120) / spanY));
      this.fitKey = key;
    }
    return this.fit;
  }

  sizedContext(canvas, width, height) {
    // a panel canvas of width × height CSS pixels, resized only when the size or dpr changed
    const dpr = this.dpr;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    return this.context(canvas);
  }

  context(canvas) {
    const ctx = canvas.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return ctx;
  }

  drawAxes(basis) {
    const ctx = this.context(this.back);
    const meta = this.meta;
    const P = this.project;
    const axes = this.flat ? [0, 1] : [0, 1, 2];
    // back panes, light grey with a grid: in 3-D the faces of the cube turned away from the
    // viewer, in 2-D the plane z = 0 itself
    const panes = this.flat ? [[2, 0]] : [];
    for (const a of this.flat ? [] : axes) {
      for (const s of [-1, 1]) {
        const normal = [0, 0, 0];
        normal[a] = s;
        if (dot(normal, basis.eye) < 0) panes.push([a, s]);
      }
    }
    ctx.lineWidth = 1;
    for (const [a, s] of panes) {
      const [b, c] = [0, 1, 2].filter((i) => i !== a);
      const point = (u, v) => {
        const p = [0, 0, 0];
        p[a] = s;
        p[b] = u;
        p[c] = v;
        return P(p);
      };
      ctx.fillStyle = "#f2f2f2";
      ctx.strokeStyle = "#c8c8c8";
      ctx.beginPath();
      [[-1, -1], [1, -1], [1, 1], [-1, 1]].forEach(([u, v], i) => {
        const [x, y] = point(u, v);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1.5;
      for (const axis of [b, c]) {
        for (const tick of meta.ticks[axis]) {
          ctx.beginPath();
          const from = axis === b ? point(tick, -1) : point(-1, tick);
          const to = axis === b ? point(tick, 1) : point(1, tick);
          ctx.moveTo(from[0], from[1]);
          ctx.lineTo(to[0], to[1]);
          ctx.stroke();
        }
      }
      ctx.lineWidth = 1;
    }
    // tick labels and axis names, on the outermost edge of each axis (in 2-D: bottom and left)
    const [cx, cy] = P([0, 0, 0]);
    ctx.fillStyle = "#333";
    for (const a of axes) {
      const [b, c] = [0, 1, 2].filter((i) => i !== a);
      let best = null;
      for (const sb of [-1, 1]) {
        for (const sc of this.flat ? [0] : [-1, 1]) {
          if (this.flat && sb !== -1) continue;
          const mid = [0, 0, 0];
          mid[b] = sb;
          mid[c] = this.flat ? 0 : sc;
          const [x, y] = P(mid);
          // x and y: the lowest edge on screen; z: the leftmost
          const score = a === 2 ? -x : y + 1e-3 * dot(mid, basis.eye);
          if (!best || score > best.score) best = { score, mid, x, y };
        }
      }
      let ox = best.x - cx;
      let oy = best.y - cy;
      const n = Math.hypot(ox, oy) || 1;
      ox /= n;
      oy /= n;
      ctx.strokeStyle = "#888";
      ctx.beginPath();
      const e0 = best.mid.slice();
      const e1 = best.mid.slice();
      e0[a] = -1;
      e1[a] = 1;
      const [x0, y0] = P(e0);
      const [x1, y1] = P(e1);
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      ctx.font = `14px ${FONT}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      meta.ticks[a].forEach((tick, i) => {
        const p = best.mid.slice();
        p[a] = tick;
        const [x, y] = P(p);
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + ox * 5, y + oy * 5);
        ctx.stroke();
        ctx.fillText(meta.tick_labels[a][i], x + ox * 20, y + oy * 16);
      });
      ctx.font = `italic 16px ${FONT}`;
      ctx.fillText(meta.axis_names[a], best.x + ox * 46, best.y + oy * 38);
    }
  }

  drawComponents(state, basis, scale) {
    const ctx = this.context(this.front);
    const meta = this.meta;
    const K = meta.n_components;
    const P = this.project;
    const { right, up } = basis;
    // everything is clipped to the axes box: a wide 2σ shell must not spill over the labels
    ctx.save();
    ctx.beginPath();
    this.boxHull().forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.clip();
    ctx.lineJoin = "round";
    const stroke = (path, rgb, alpha, width, halo) => {
      // a pale halo under an outline keeps it visible over points of its own colour, and the
      // line itself is a darker shade of the component's colour
      if (halo) {
        ctx.strokeStyle = `rgba(255,255,255,${0.7 * alpha})`;
        ctx.lineWidth = width + 2.5;
        ctx.stroke(path);
      }
      const [r, g, b] = rgb.map((c) => Math.round(0.72 * c));
      ctx.strokeStyle = `rgba(${r},${g},${b},${alpha})`;
      ctx.lineWidth = width;
      ctx.stroke(path);
    };
    for (let k = 0; k < K; k++) {
      const E = state.rows[k];
      const m = [E[0], E[1], E[2]];
      // the principal axes: columns of A (A Aᵀ = Σ_k, in cube coordinates)
      const axes = [0, 1, 2].map((j) => [E[3 + j], E[6 + j], E[9 + j]]);
      // the outline of x = m + r A u, |u| = 1, seen along the view direction is the ellipse
      // of the 2 × 2 matrix S = (PA)(PA)ᵀ, P the screen axes; drawn through S's Cholesky factor
      const M = [axes.map((a) => dot(a, right)), axes.map((a) => dot(a, up))];
      const s00 = dot(M[0], M[0]);
      const s01 = dot(M[0], M[1]);
      const s11 = dot(M[1], M[1]);
      const l00 = Math.sqrt(Math.max(s00, 1e-18));
      const l10 = s01 / l00;
      const l11 = Math.sqrt(Math.max(s11 - l10 * l10, 0));
      // a dragged mean carries its ellipses along: the whole component moves, Σ_k kept
      const held = this.dragMean && this.dragMean.k === k;
      const [cx, cy] = held ? [this.dragMean.x, this.dragMean.y] : P(m);
      meta.sigmas.forEach((sigma, j) => {
        const alpha = state.alphas[k] * (j === 0 ? 1 : OUTER_FADE);
        const outline = new Path2D();
        for (let i = 0; i <= 96; i++) {
          const a = (2 * Math.PI * i) / 96;
          const w0 = Math.cos(a);
          const w1 = Math.sin(a);
          const x = cx + sigma * scale * l00 * w0;
          const y = cy - sigma * scale * (l10 * w0 + l11 * w1);
          if (i) outline.lineTo(x, y);
          else outline.moveTo(x, y);
        }
        stroke(outline, this.rgb[k], alpha, this.flat ? 2.8 : j === 0 ? 2.4 : 1.6, true);
        if (this.flat || j > 0) return;
        // 3-D: the three principal sections at 1σ say which way the ellipsoid is turned
        const rings = new Path2D();
        for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
          for (let i = 0; i <= 64; i++) {
            const a = (2 * Math.PI * i) / 64;
            const c = sigma * Math.cos(a);
            const s = sigma * Math.sin(a);
            const [x, y] = P([
              m[0] + c * axes[p][0] + s * axes[q][0],
              m[1] + c * axes[p][1] + s * axes[q][1],
              m[2] + c * axes[p][2] + s * axes[q][2],
            ]);
            if (i) rings.lineTo(x, y);
            else rings.moveTo(x, y);
          }
        }
        stroke(rings, this.rgb[k], 0.7 * alpha, 1.2, false);
      });
    }
    ctx.restore();
    // the means: crosses with a black outline, on top of everything (a mean outside the box
    // is drawn on its edge)
    this.meanScreen = [];
    for (let k = 0; k < K; k++) {
      const E = state.rows[k];
      const m = [E[0], E[1], E[2]].map((v) => Math.max(-1, Math.min(1, v)));
      let [x, y] = P(m);
      this.meanScreen.push([x, y]);
      if (this.dragMean && this.dragMean.k === k) {
        // being dragged (playground): a dashed line from where it was to the pointer
        ctx.save();
        ctx.setLineDash([5, 4]);
        ctx.strokeStyle = "#333";
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(this.dragMean.x, this.dragMean.y);
        ctx.stroke();
        ctx.restore();
        [x, y] = [this.dragMean.x, this.dragMean.y];
      }
      const s = 8;
      // VB: a mean fades with E[π_k] (a pruned component's cross sits at m₀, the prior mean)
      ctx.globalAlpha = state.meanAlphas[k];
      ctx.beginPath();
      ctx.moveTo(x - s, y - s);
      ctx.lineTo(x + s, y + s);
      ctx.moveTo(x - s, y + s);
      ctx.lineTo(x + s, y - s);
      ctx.lineCap = "round";
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 7;
      ctx.stroke();
      ctx.strokeStyle = meta.colors[k];
      ctx.lineWidth = 4;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }

  boxHull() {
    // the convex hull of the projected box corners (monotone chain)
    const corners = [];
    for (const a of [-1, 1]) {
      for (const b of [-1, 1]) {
        for (const c of this.flat ? [0] : [-1, 1]) corners.push(this.project([a, b, c]));
      }
    }
    corners.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    const half = (points) => {
      const out = [];
      for (const p of points) {
        while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
        out.push(p);
      }
      out.pop();
      return out;
    };
    return half(corners).concat(half(corners.slice().reverse()));
  }

  drawCurve(h, t) {
    const meta = this.meta;
    const canvas = this.curveCanvas;
    const width = 320;
    const height = this.layout.curveHeight(this.height);
    const ctx = this.sizedContext(canvas, width, height);
    const curve = meta.log_likelihoods;
    const [low, high] = meta.curve_limits;
    // y ticks: a few round values, written with the decimals they need
    const yticks = niceTicks(low, high, 3);
    const spacing = Math.abs(yticks[1] - yticks[0]) || 1;
    let digits = 0;
    while (digits < 8 && yticks.some((v) => !writtenExactly(v, digits, spacing))) {
      digits += 1;
    }
    const ylabels = yticks.map((v) => v.toFixed(digits));
    ctx.font = `13px ${FONT}`;
    // the box starts right of the widest label and the rotated axis name
    const left = 34 + Math.max(...ylabels.map((label) => ctx.measureText(label).width));
    const right = 10;
    const top = 12;
    const bottom = 46;
    const span = Math.max(curve.length - 1, 1);
    const X = (i) => left + ((i + 0.03 * span) / (1.06 * span)) * (width - left - right);
    const Y = (v) => top + (1 - (v - low) / (high - low)) * (height - top - bottom);
    ctx.strokeStyle = "#888";
    ctx.lineWidth = 1;
    ctx.strokeRect(left, top, width - left - right, height - top - bottom);
    ctx.fillStyle = "#333";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    yticks.forEach((v, i) => {
      const y = Y(v);
      ctx.beginPath();
      ctx.moveTo(left - 4, y);
      ctx.lineTo(left, y);
      ctx.stroke();
      ctx.fillText(ylabels[i], left - 6, y);
    });
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of niceTicks(0, span, 4).filter((v) => Number.isInteger(v))) {
      const x = X(v);
      ctx.beginPath();
      ctx.moveTo(x, height - bottom);
      ctx.lineTo(x, height - bottom + 4);
      ctx.stroke();
      ctx.fillText(String(v), x, height - bottom + 6);
    }
    ctx.font = `14px ${FONT}`;
    ctx.fillText("iteration t", left + (width - left - right) / 2, height - 22);
    ctx.save();
    ctx.translate(12, top + (height - top - bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(meta.curve_label || "ln p(X | θₜ)", 0, 0);
    ctx.restore();
    // the curve, clipped to its box (a hopeless θ₀ lies below it)
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width - left - right, height - top - bottom);
    ctx.clip();
    ctx.strokeStyle = "#4d4d4d";
    ctx.lineWidth = 2;
    ctx.beginPath();
    // a null (VB: no bound for q₀ after a one-hot start) is left out: the line starts after it
    let open = false;
    curve.forEach((v, i) => {
      if (v === null) {
        open = false;
        return;
      }
      if (open) ctx.lineTo(X(i), Y(v));
      else ctx.moveTo(X(i), Y(v));
      open = true;
    });
    ctx.stroke();
    ctx.restore();
    // the marker at θ_t: open after an E-step (γ changed, θ not yet)
    const value = curve[t];
    if (value === null) return;
    const y = Math.min(Y(value), height - bottom);
    ctx.beginPath();
    if (Y(value) > height - bottom) {
      ctx.moveTo(X(t) - 6, y - 10);
      ctx.lineTo(X(t) + 6, y - 10);
      ctx.lineTo(X(t), y);
      ctx.closePath();
    } else {
      ctx.arc(X(t), y, 6, 0, 2 * Math.PI);
    }
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = MARKER;
    ctx.fillStyle = meta.phases[h] === "E" ? "#fff" : MARKER;
    ctx.fill();
    ctx.stroke();
  }

  drawBound(h) {
    // ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)) as a bar split in two, for the half-step before
    // and the one shown, on one axis zoomed onto the four values (the changes late in a run are
    // a tiny fraction of |ln p|: a bar from 0 would show nothing move)
    const meta = this.meta;
    const show = Array.isArray(meta.lower_bounds) && meta.lower_bounds.length > h;
    this.bound.style.display = show ? "" : "none";
    if (!show) return;
    const split = (i) => ({ logP: meta.log_p[i], lower: meta.lower_bounds[i], kl: meta.kls[i] });
    const now = split(h);
    const before = h > 0 ? split(h - 1) : null;
    const root = this.root.dataset;
    root.logLikelihood = String(now.logP);
    root.lowerBound = String(now.lower);
    root.kl = String(now.kl);

    const phase = meta.phases[h];
    const t = (h + 1) >> 1;
    this.boundTitle.textContent =
      phase === "init"
        ? `θ₀, q = γ(θ₀): KL = 0, L = ln p`
        : phase === "E"
          ? `E-step: q = γ(θ${subscript(t - 1)}) closes the gap: KL = 0`
          : `M-step: θ${subscript(t)} raises L, and KL reappears`;

    const canvas = this.boundCanvas;
    const width = 320;
    const height = 118;
    const ctx = this.sizedContext(canvas, width, height);
    const rows = before ? [["before", before, 8], ["now", now, 44]] : [["now", now, 44]];
    const values = [];
    for (const [, v] of rows) values.push(v.logP, v.lower);
    const finite = values.filter((v) => Number.isFinite(v));
    let low = Math.min(...finite);
    const high = Math.max(...finite);
    let span = high - low;
    if (!(span > 1e-9 * Math.abs(high))) {
      span = Math.max(1e-3 * Math.abs(high), 1e-9);
      low = high - span;
    }
    const axisLow = low - 0.3 * span;
    const axisHigh = high + 0.08 * span;
    const left = 58;
    const right = width - 12;
    const X = (v) => {
      const clipped = Math.max(axisLow, Math.min(axisHigh, v));
      return left + ((clipped - axisLow) / (axisHigh - axisLow)) * (right - left);
    };
    const barHeight = 28;
    ctx.font = `14px ${FONT}`;
    ctx.textBaseline = "middle";
    for (const [name, v, y] of rows) {
      ctx.fillStyle = "#333";
      ctx.textAlign = "right";
      ctx.fillText(name, left - 8, y + barHeight / 2);
      const xL = X(v.lower);
      const xP = X(v.logP);
      ctx.globalAlpha = name === "now" ? 1 : 0.45;
      ctx.fillStyle = LOWER_COLOR;
      ctx.fillRect(left, y, Math.max(xL - left, 0), barHeight);
      ctx.fillStyle = KL_COLOR;
      ctx.fillRect(xL, y, Math.max(xP - xL, 0), barHeight);
      ctx.globalAlpha = 1;
      // ln p: the end of the bar
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(xP, y - 3);
      ctx.lineTo(xP, y + barHeight + 3);
      ctx.stroke();
      // the axis does not start at 0: a white zigzag cuts the bar's left end
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i <= 4; i++) {
        ctx.lineTo(left + 6 + (i % 2 ? 3 : -3), y + (i * barHeight) / 4);
      }
      ctx.stroke();
    }
    if (before) {
      // where ln p was: a dashed line through both bars
      ctx.strokeStyle = "#555";
      ctx.lineWidth = 1.2;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(X(before.logP), 4);
      ctx.lineTo(X(before.logP), 44 + barHeight + 4);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // the axis and a few ticks
    const axisY = 44 + barHeight + 10;
    ctx.strokeStyle = "#888";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, axisY);
    ctx.lineTo(right, axisY);
    ctx.stroke();
    const ticks = niceTicks(axisLow, axisHigh, 3);
    const spacing = Math.abs(ticks[1] - ticks[0]) || 1;
    let digits = 0;
    while (digits < 8 && ticks.some((v) => !writtenExactly(v, digits, spacing))) {
      digits += 1;
    }
    ctx.font = `13px ${FONT}`;
    ctx.fillStyle = "#333";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    let lastRight = -Infinity;
    for (const v of ticks) {
      const x = X(v);
      const label = v.toFixed(digits).replace("-", "−");
      const half = ctx.measureText(label).width / 2;
      if (x - half < 2 || x + half > width - 2) continue; // a label cut by the edge misleads
      if (x - half < lastRight + 8) continue; // long labels (a tiny span): never overlapping
      lastRight = x + half;
      ctx.beginPath();
      ctx.moveTo(x, axisY);
      ctx.lineTo(x, axisY + 4);
      ctx.stroke();
      ctx.fillText(label, x, axisY + 6);
    }

    // the numbers, and how much each moved since the half-step before
    this.boundNumbers.textContent = "";
    const entries = [
      ["ln p(X|θ)", "logP", "#000"],
      ["L(q,θ)", "lower", LOWER_COLOR],
      ["KL(q‖p)", "kl", KL_COLOR],
    ];
    for (const [label, key, color] of entries) {
      const row = el("div", "gmm-bound-row", this.boundNumbers);
      const swatch = el("span", "gmm-bound-swatch", row);
      swatch.style.background = color;
      el("span", "gmm-bound-name", row).textContent = label;
      // KL is ≥ 0; within rounding of ln p (late in a run, ±1e-14) it is written as ≈ 0
      const noise = key === "kl" && Math.abs(now.kl) <= 1e-12 * Math.abs(now.logP);
      el("span", "gmm-bound-value", row).textContent =
        noise && now.kl !== 0 ? "≈ 0" : formatNumber(now[key]);
      const change = el("span", "gmm-bound-change", row);
      if (before) {
        const delta = now[key] - before[key];
        change.textContent = delta === 0 ? "±0" : (delta > 0 ? "+" : "") + formatNumber(delta);
      }
    }
  }

  updateKey(weights) {
    const largest = Math.max(...weights);
    this.keyRows.forEach((row, k) => {
      row.text.textContent = `${row.name} = ${weights[k].toFixed(3)}`;
      row.bar.style.width = `${Math.round((100 * weights[k]) / largest)}px`;
    });
  }
}

function formatNumber(v) {
  // three decimals, a tiny non-zero value in scientific notation; a real minus sign
  if (!Number.isFinite(v)) return v > 0 ? "∞" : v < 0 ? "−∞" : "NaN";
  const text = v !== 0 && Math.abs(v) < 5e-4 ? v.toExponential(1) : v.toFixed(3);
  return text.replace(/-/g, "−");
}

function writtenExactly(value, digits, spacing) {
  // `digits` decimals write a tick exactly: to a billionth of the spacing, or to the rounding
  // of a double of that size (a tick at −1291.507825 is not exact in binary)
  const tolerance = 1e-9 * spacing + 8 * Number.EPSILON * Math.abs(value);
  return Math.abs(+value.toFixed(digits) - value) <= tolerance;
}

function niceTicks(low, high, count) {
  // round values inside [low, high], about `count` of them and never fewer than two
  // a span below a billionth of the values (a flat curve at −1295.72…) would make steps that
  // i++ cannot count past (i above 2⁵³): never smaller than that
  const size = Math.max(Math.abs(low), Math.abs(high));
  const span = Math.max(high - low, 1e-9 * size) || Math.abs(high) || 1;
  for (let n = count; n <= 4 * count; n *= 2) {
    const raw = span / n;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
    const ticks = [];
    const first = Math.ceil(low / step);
    for (let i = first; i * step <= high + 1e-9 * span && i <= first + 8 * n; i++) {
      ticks.push(Math.abs(i * step) < 1e-12 * span ? 0 : i * step);
    }
    if (ticks.length >= 2) return ticks;
  }
  return [low, high];
}

function render({ model, el: root }) {
  const view = new TraceView(model, root);
  return () => view.dispose();
}

// render for anywidget; the pure functions for the tests (tests/views/test_browser_gamma.py)
export default { render, gammaData, responsibilities, colourFrame, mixEllipsoid };
