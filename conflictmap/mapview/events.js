/* Conflict Event Map: the events layer, drawn from the compact payload of
 * conflictmap/mapview/payload.py (typed columns + string tables, deflated, base64).
 *
 * Why our own layer: one folium object per event costs 97 s of Python and a 96 MB page at
 * 100,000 events; markercluster needs ~5 s to build its tree. Here the browser keeps plain typed
 * arrays, groups what is on screen into a pixel grid on every move (a few ms), and draws only
 * what is visible: one canvas circle per lone event, one count bubble per crowded cell.
 *
 * Safety: article text is only ever put into the page with textContent / createTextNode, and
 * links only when they start with http(s)://. Nothing from the payload reaches innerHTML.
 */
(function () {
  "use strict";
  var CM = (window.ConflictMap = window.ConflictMap || {});

  var TIME_PRECISION = { 1: "exact day", 2: "within about a week", 3: "month only" };
  var GEO_PRECISION = { 1: "exact place", 2: "near this place", 3: "region only" };
  var CELL_PX = 56; // grid cell for clustering, in screen pixels
  var LIST_PAGE = 25; // events per page in the list popup of a cluster that cannot be split

  function b64ToBytes(b64) {
    // Native decoder where the browser has one (Chromium 140+): 2 MB in a few ms.
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(b64);
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  CM.decode = function (b64) {
    var stream = new Blob([b64ToBytes(b64)]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (buf) {
      var hlen = new DataView(buf).getUint32(0, true);
      var header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, hlen)));
      var block = Math.ceil((4 + hlen) / 8) * 8;
      var types = { i4: Int32Array, u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, f8: Float64Array };
      var cols = {};
      header.columns.forEach(function (c) {
        cols[c[0]] = new types[c[1]](buf, block + c[2], c[3]);
      });
      return { header: header, cols: cols };
    });
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function isoDate(day) {
    var d = new Date(day * 86400000);
    return d.toISOString().slice(0, 10);
  }

  function safeHref(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
  }

  var HEX = [];
  for (var hx = 0; hx < 256; hx++) HEX.push((hx < 16 ? "0" : "") + hx.toString(16));

  /* Data: the decoded payload (see conflictmap/mapview/payload.py). Events are grouped by place;
   * the layers work on places (x/y in normalised Web Mercator [0, 1], event count, first row),
   * so a redraw costs O(places), not O(events). */
  function EventData(decoded) {
    var h = decoded.header;
    var c = decoded.cols;
    this.h = h;
    this.c = c;
    this.n = h.n;
    this.np = h.np;
    var np = h.np;
    var scale = h.coord_scale;
    this.px = new Float64Array(np);
    this.py = new Float64Array(np);
    this.plat = new Float64Array(np);
    this.plng = new Float64Array(np);
    for (var p = 0; p < np; p++) {
      var lat = c.plat[p] / scale;
      var lng = c.plon[p] / scale;
      this.plat[p] = lat;
      this.plng[p] = lng;
      var s = Math.sin((Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180);
      this.px[p] = (lng + 180) / 360;
      this.py[p] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    }
    // Rows are sorted by place: place p holds rows start[p] .. start[p] + count[p] - 1.
    this.count = new Uint32Array(np);
    this.start = new Uint32Array(np);
    var place = c.place;
    for (var i = 0; i < h.n; i++) this.count[place[i]]++;
    for (var q = 1; q < np; q++) this.start[q] = this.start[q - 1] + this.count[q - 1];
    if (typeof h.ids === "string") h.ids = h.n ? h.ids.split("\n") : [];
  }

  EventData.prototype.lat = function (i) { return this.plat[this.c.place[i]]; };
  EventData.prototype.lng = function (i) { return this.plng[this.c.place[i]]; };

  EventData.prototype.id = function (i) {
    var h = this.h;
    if (!h.id_bytes) return h.ids[i];
    var w = h.id_bytes;
    var out = h.id_prefix;
    for (var k = i * w; k < (i + 1) * w; k++) out += HEX[this.c.ids[k]];
    return out;
  };

  /* Row of an event id, or -1 (only for a selection: a linear scan is a few ms). */
  EventData.prototype.find = function (id) {
    if (typeof id !== "string") return -1;
    if (!this.h.id_bytes) return this.h.ids.indexOf(id);
    for (var i = 0; i < this.n; i++) if (this.id(i) === id) return i;
    return -1;
  };

  /* Rows of the events at these places (a cluster that cannot split further). */
  EventData.prototype.rows = function (places) {
    var out = [];
    for (var j = 0; j < places.length; j++) {
      var p = places[j];
      for (var i = this.start[p]; i < this.start[p] + this.count[p]; i++) out.push(i);
    }
    return out;
  };

  EventData.prototype.eventType = function (i) {
    return this.h.kinds[this.c.kind[i]][0];
  };

  EventData.prototype.date = function (i) {
    var day = this.c.date[i];
    return day === this.h.no_date ? null : isoDate(this.h.day0 + day);
  };

  EventData.prototype.label = function (i) {
    return this.h.labels[this.c.plabel[this.c.place[i]]];
  };

  EventData.prototype.summary = function (i) {
    var kind = this.h.kinds[this.c.kind[i]];
    return [this.date(i) || "undated", kind[1] || kind[0], this.label(i)[0] || "unnamed place"]
      .join(" · ");
  };

  /* The popup of one event, as DOM built with textContent. Its text ends with "ID: <event id>",
   * which conflictmap.mapview.event_id_from_click reads from st_folium's return value. */
  EventData.prototype.popup = function (i) {
    var h = this.h;
    var c = this.c;
    var box = el("div", "cm-popup");
    var flags = c.flags[i];
    var date = this.date(i);
    var tp = TIME_PRECISION[flags & 3];
    box.appendChild(el("div", "cm-date", date ? (tp ? date + " (" + tp + ")" : date) : "Date unknown"));
    var kind = h.kinds[c.kind[i]];
    var type = el("div", "cm-type");
    type.appendChild(el("strong", null, kind[0]));
    if (kind[1]) type.appendChild(document.createTextNode(" — " + kind[1]));
    box.appendChild(type);
    var actors = [h.actors[c.actor1[i]], h.actors[c.actor2[i]]].filter(function (a) { return a; });
    box.appendChild(el("div", "cm-actors", "Actors: " + (actors.length ? actors.join("; ") : "unknown")));
    var f = c.fatalities[i];
    box.appendChild(el("div", "cm-fatalities", "Fatalities: " + (f === h.no_fatal ? "unknown" : h.fatal0 + f)));
    var place = this.label(i).filter(function (p) { return p; }).join(", ");
    var gp = GEO_PRECISION[(flags >> 2) & 3];
    box.appendChild(el("div", "cm-place", "Place: " + (place || "unnamed") + (gp ? " (" + gp + ")" : "")));
    var evidence = c.evidence ? h.evidence[c.evidence[i]] : "";
    if (evidence) {
      box.appendChild(el("blockquote", "cm-evidence", evidence));
    } else if (h.evidence_chars === 0) {
      box.appendChild(el("div", "cm-note", "Evidence: in the full record beside the map."));
    }
    var src = h.sources[c.source[i]];
    var title = src[0] || src[2] || "";
    var href = safeHref(src[1]);
    if (title || href) {
      var line = el("div", "cm-source", "Source: ");
      if (href) {
        var a = el("a", null, title || href);
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        line.appendChild(a);
      } else {
        line.appendChild(document.createTextNode(title));
      }
      if (src[2] && src[0]) line.appendChild(document.createTextNode(" (" + src[2] + ")"));
      box.appendChild(line);
    }
    box.appendChild(el("div", "cm-review", "Review: " + (h.review[(flags >> 4) & 3] || "machine")));
    box.appendChild(el("div", "cm-id", "ID: " + this.id(i)));
    return box;
  };

  /* Grid clustering of what is on screen, recomputed on every moveend. */
  CM.EventLayer = L.FeatureGroup.extend({
    initialize: function (options) {
      L.FeatureGroup.prototype.initialize.call(this, []);
      L.setOptions(this, options);
      // SVG, not canvas: at most one marker per grid cell on screen is drawn (a few hundred), and
      // DOM paths can be clicked, counted and read by assistive tech and browser tests alike.
      this._renderer = L.svg({ padding: 0.3 });
      this._clusters = L.featureGroup(); // count bubbles: no popup, so clicks only zoom
      this.data = null;
      var self = this;
      // Bound on the group (not per marker) so st_folium's click hook can read the popup text
      // via getContent()(layer), and so no closure per marker is kept.
      this.bindPopup(function (layer) { return self.data.popup(layer.options.cmIndex); },
        { maxWidth: 360, minWidth: 220, autoPanPadding: [20, 20] });
      // Ring the clicked event here, in the browser: a selection sent back from Python would
      // change the map script, and st_folium remounts (and re-fits) a map whose script changed.
      this.on("click", function (e) {
        var layer = e.layer || e.sourceTarget;
        if (layer && layer.options && layer.options.cmIndex !== undefined && self.data) {
          self.select(self.data.id(layer.options.cmIndex), layer.options.cmIndex);
        }
      });
    },

    setData: function (data) {
      this.data = data;
      if (this._map) this._redraw();
    },

    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      this._clusters.addTo(map);
      map.on("moveend", this._redraw, this);
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend", this._redraw, this);
      this._clusters.clearLayers();
      map.removeLayer(this._clusters);
      L.FeatureGroup.prototype.onRemove.call(this, map);
    },

    colorOf: function (type) {
      return (this.options.colors && this.options.colors[type]) || this.options.otherColor || "#777";
    },

    eventMarker: function (i, extra) {
      var d = this.data;
      var opts = {
        renderer: this._renderer,
        radius: 7,
        color: "#222",
        weight: 1,
        fillColor: this.colorOf(d.eventType(i)),
        fillOpacity: 0.9,
        className: "cm-event",
        cmIndex: i
      };
      if (extra) L.extend(opts, extra);
      return L.circleMarker([d.lat(i), d.lng(i)], opts);
    },

    /* Opens event i's popup as if its marker was clicked (so st_folium reports it too). */
    openEvent: function (i) {
      if (this._list) this._map.removeLayer(this._list);
      this._list = null;
      var marker = this.eventMarker(i);
      this.addLayer(marker);
      var latlng = marker.getLatLng();
      marker.fire("click", { latlng: latlng }, true);
    },

    _redraw: function () {
      var map = this._map;
      var d = this.data;
      if (!map || !d) return;
      this.clearLayers();
      this._clusters.clearLayers();
      var zoom = map.getZoom();
      var world = 256 * Math.pow(2, zoom);
      var size = map.getSize();
      var center = map.project(map.getCenter(), zoom);
      var pad = CELL_PX;
      var x0 = (center.x - size.x / 2 - pad) / world;
      var x1 = (center.x + size.x / 2 + pad) / world;
      var y0 = (center.y - size.y / 2 - pad) / world;
      var y1 = (center.y + size.y / 2 + pad) / world;
      var cells = new Map();
      var xs = d.px;
      var ys = d.py;
      var counts = d.count;
      // Places, not events: every event of a place falls into the same cell.
      for (var p = 0; p < d.np; p++) {
        var x = xs[p];
        var y = ys[p];
        if (x < x0 || x > x1 || y < y0 || y > y1) continue;
        var k = counts[p];
        var key = Math.floor((x * world) / CELL_PX) * 4194304 + Math.floor((y * world) / CELL_PX);
        var cell = cells.get(key);
        if (cell === undefined) {
          cells.set(key, { first: p, places: null, count: k, sx: x * k, sy: y * k,
            minx: x, maxx: x, miny: y, maxy: y });
        } else {
          if (cell.places === null) cell.places = [cell.first];
          cell.places.push(p);
          cell.count += k;
          cell.sx += x * k;
          cell.sy += y * k;
          if (x < cell.minx) cell.minx = x;
          if (x > cell.maxx) cell.maxx = x;
          if (y < cell.miny) cell.miny = y;
          if (y > cell.maxy) cell.maxy = y;
        }
      }
      var self = this;
      var maxWorld = 256 * Math.pow(2, map.getMaxZoom());
      cells.forEach(function (cell) {
        if (cell.count === 1) {
          self.addLayer(self.eventMarker(d.start[cell.first]));
          return;
        }
        var cx = cell.sx / cell.count;
        var cy = cell.sy / cell.count;
        var latlng = map.unproject([cx * world, cy * world], zoom);
        var cls = cell.count < 10 ? "small" : cell.count < 100 ? "medium" : "large";
        var label = cell.count < 10000 ? String(cell.count) : Math.round(cell.count / 1000) + "k";
        var icon = L.divIcon({
          html: "<div><span>" + label + "</span></div>", // label is a number we formatted
          className: "marker-cluster cm-cluster cm-cluster-" + cls,
          iconSize: L.point(40, 40)
        });
        var bubble = L.marker(latlng, { icon: icon, title: cell.count + " events", keyboard: true });
        // Co-located events (same town) never split by zooming: list them instead.
        var splittable = (cell.maxx - cell.minx) * maxWorld >= 1 || (cell.maxy - cell.miny) * maxWorld >= 1;
        bubble.on("click", function () {
          if (splittable && zoom < map.getMaxZoom()) {
            var sw = map.unproject([cell.minx * world, cell.maxy * world], zoom);
            var ne = map.unproject([cell.maxx * world, cell.miny * world], zoom);
            var bounds = L.latLngBounds(sw, ne);
            var target = Math.min(map.getBoundsZoom(bounds.pad(0.2)), map.getMaxZoom());
            if (target <= zoom) target = Math.min(zoom + 2, map.getMaxZoom());
            map.setView(bounds.getCenter(), target);
          } else {
            self._listPopup(latlng, d.rows(cell.places || [cell.first]), 0);
          }
        });
        self._clusters.addLayer(bubble);
      });
      if (this._selected !== undefined) this._drawSelected();
      var box = map.getContainer();
      box.setAttribute("data-cm-markers", String(this.getLayers().length));
      box.setAttribute("data-cm-clusters", String(this._clusters.getLayers().length));
      this.fire("cm:drawn", { cells: cells.size });
    },

    _listPopup: function (latlng, members, page) {
      var self = this;
      var d = this.data;
      var box = el("div", "cm-list");
      box.appendChild(el("div", "cm-list-title", members.length + " events here"));
      var list = el("ol", "cm-list-items");
      list.start = page * LIST_PAGE + 1;
      members.slice(page * LIST_PAGE, (page + 1) * LIST_PAGE).forEach(function (i) {
        var item = el("li");
        var button = el("button", "cm-list-item", d.summary(i));
        button.type = "button";
        button.style.borderLeftColor = self.colorOf(d.eventType(i));
        button.addEventListener("click", function () { self.openEvent(i); });
        item.appendChild(button);
        list.appendChild(item);
      });
      box.appendChild(list);
      var nav = el("div", "cm-list-nav");
      if (page > 0) {
        var prev = el("button", null, "‹ previous");
        prev.type = "button";
        prev.addEventListener("click", function () { self._listPopup(latlng, members, page - 1); });
        nav.appendChild(prev);
      }
      if ((page + 1) * LIST_PAGE < members.length) {
        var next = el("button", null, "next ›");
        next.type = "button";
        next.addEventListener("click", function () { self._listPopup(latlng, members, page + 1); });
        nav.appendChild(next);
      }
      box.appendChild(nav);
      if (this._list) this._map.removeLayer(this._list);
      this._list = L.popup({ maxWidth: 360, minWidth: 240 }).setLatLng(latlng).setContent(box);
      this._list.openOn(this._map);
    },

    showPopup: function (eventId) {
      var i = this.data ? this.data.find(eventId) : -1;
      if (i < 0 || !this._map) return;
      var marker = this.eventMarker(i);
      this.addLayer(marker);
      this._popup._source = marker;
      this.openPopup(marker.getLatLng());
    },

    select: function (eventId, row) {
      this._selected = eventId;
      if (row !== undefined) {
        this._selectedRow = row;
        this._selectedRowOf = eventId;
      }
      if (this._map && this.data) this._drawSelected();
    },

    _drawSelected: function () {
      if (this._selectedRow === undefined || this._selectedRowOf !== this._selected) {
        this._selectedRow = this.data ? this.data.find(this._selected) : -1;
        this._selectedRowOf = this._selected;
      }
      var i = this._selectedRow;
      if (this._ring) this._map.removeLayer(this._ring);
      this._ring = null;
      if (i < 0) return;
      this._ring = L.circleMarker([this.data.lat(i), this.data.lng(i)], {
        renderer: this._renderer, radius: 13, color: "#111", weight: 3, fill: false,
        interactive: false, className: "cm-selected"
      }).addTo(this._map);
    }
  });

  /* Heat map: counts binned per screen cell, each cell a blurred disc, alpha mapped to a palette
   * (the approach of simpleheat / Leaflet.heat, which no pip package ships). */
  CM.HeatLayer = L.Layer.extend({
    options: { radius: 22, blur: 16, opacity: 0.65 },

    initialize: function (options) {
      L.setOptions(this, options);
      this.data = null;
    },

    setData: function (data) {
      this.data = data;
      if (this._map) this._redraw();
    },

    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "cm-heat leaflet-zoom-hide");
      this._canvas.style.pointerEvents = "none";
      this._canvas.style.opacity = this.options.opacity;
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on("moveend", this._redraw, this);
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend", this._redraw, this);
      L.DomUtil.remove(this._canvas);
    },

    _palette: function () {
      if (this._pal) return this._pal;
      var c = document.createElement("canvas");
      c.width = 1;
      c.height = 256;
      var ctx = c.getContext("2d");
      var g = ctx.createLinearGradient(0, 0, 0, 256);
      g.addColorStop(0.2, "blue");
      g.addColorStop(0.45, "cyan");
      g.addColorStop(0.65, "lime");
      g.addColorStop(0.85, "yellow");
      g.addColorStop(1.0, "red");
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, 1, 256);
      this._pal = ctx.getImageData(0, 0, 1, 256).data;
      return this._pal;
    },

    _stamp: function () {
      if (this._st) return this._st;
      var r = this.options.radius;
      var b = this.options.blur;
      var c = document.createElement("canvas");
      c.width = c.height = 2 * (r + b);
      var ctx = c.getContext("2d");
      ctx.shadowOffsetX = ctx.shadowOffsetY = 2 * (r + b) * 10;
      ctx.shadowBlur = b;
      ctx.shadowColor = "black";
      ctx.beginPath();
      ctx.arc(r + b - 2 * (r + b) * 10, r + b - 2 * (r + b) * 10, r, 0, Math.PI * 2);
      ctx.fill();
      this._st = c;
      return c;
    },

    _redraw: function () {
      var map = this._map;
      if (!map || !this.data) return;
      var size = map.getSize();
      var canvas = this._canvas;
      canvas.width = size.x;
      canvas.height = size.y;
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var zoom = map.getZoom();
      var world = 256 * Math.pow(2, zoom);
      var origin = map.project(map.getCenter(), zoom).subtract(size.divideBy(2));
      var d = this.data;
      var cell = Math.max(2, Math.round(this.options.radius / 2));
      var cols = Math.ceil(size.x / cell) + 2;
      var rows = Math.ceil(size.y / cell) + 2;
      var grid = new Float32Array(cols * rows);
      var max = 0;
      for (var p = 0; p < d.np; p++) {
        var px = d.px[p] * world - origin.x;
        var py = d.py[p] * world - origin.y;
        if (px < -cell || py < -cell || px >= size.x + cell || py >= size.y + cell) continue;
        var k = (Math.floor(py / cell) + 1) * cols + Math.floor(px / cell) + 1;
        var v = (grid[k] += d.count[p]);
        if (v > max) max = v;
      }
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, size.x, size.y);
      if (!max) return;
      var stamp = this._stamp();
      var half = stamp.width / 2;
      var norm = Math.log(1 + max);
      for (var r = 0; r < rows; r++) {
        for (var q = 0; q < cols; q++) {
          var count = grid[r * cols + q];
          if (!count) continue;
          ctx.globalAlpha = Math.max(0.08, Math.log(1 + count) / norm);
          ctx.drawImage(stamp, (q - 1) * cell + cell / 2 - half, (r - 1) * cell + cell / 2 - half);
        }
      }
      var img = ctx.getImageData(0, 0, size.x, size.y);
      var px4 = img.data;
      var pal = this._palette();
      for (var p = 3; p < px4.length; p += 4) {
        var a = px4[p];
        if (!a) continue;
        px4[p - 3] = pal[a * 4];
        px4[p - 2] = pal[a * 4 + 1];
        px4[p - 1] = pal[a * 4 + 2];
      }
      ctx.putImageData(img, 0, 0);
    }
  });

  function legendControl(types, colors, otherColor, note) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "cm-legend leaflet-control");
      box.appendChild(el("div", "cm-legend-title", "Event type"));
      types.forEach(function (type) {
        var row = el("div", "cm-legend-row");
        var swatch = el("span", "cm-swatch");
        swatch.style.background = colors[type] || otherColor;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(type));
        box.appendChild(row);
      });
      if (note) box.appendChild(el("div", "cm-legend-note", note));
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  /* st_folium remounts the map whenever its script changes (a new selection, say). The view the
   * user had for the same events is kept in sessionStorage (per tab) and restored on remount. */
  function restoreView(map, key) {
    var store = null;
    try { store = window.sessionStorage; } catch (e) { store = null; }
    if (!store || !key) return false;
    var name = "conflictmap-view:" + key;
    var saved = null;
    try { saved = JSON.parse(store.getItem(name) || "null"); } catch (e) { saved = null; }
    if (saved && typeof saved.lat === "number" && typeof saved.lng === "number") {
      map.setView([saved.lat, saved.lng], saved.zoom, { animate: false });
    }
    map.cmSaveView = function () {
      var c = map.getCenter();
      try { store.setItem(name, JSON.stringify({ lat: c.lat, lng: c.lng, zoom: map.getZoom() })); }
      catch (e) { /* storage full or disabled: the map just re-fits next time */ }
    };
    map.on("moveend", map.cmSaveView);
    return !!saved;
  }

  /* Entry point called from the folium element's script. Returns the events layer at once (so
   * st_folium's click hook, installed right after the script, finds it) and fills it when the
   * payload is inflated. */
  // Country outlines in a pane below Leaflet's tiles: covered when tiles load, the basemap when
  // they cannot (offline). Fetched from our own static files, never embedded in the page.
  CM.addOutlines = function (map, url) {
    map.getContainer().style.background = "#cfe0ea"; // sea; land comes from the outlines
    if (!map.getPane("cmBase")) {
      map.createPane("cmBase");
      map.getPane("cmBase").style.zIndex = 150;
    }
    var outlines = L.geoJSON(null, {
      pane: "cmBase", interactive: false,
      style: { color: "#9a9a9a", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 }
    }).addTo(map);
    fetch(url).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geo) { if (geo) outlines.addData(geo); })
      .catch(function () { /* outlines are decoration; the map still works */ });
    return outlines;
  };

  CM.mount = function (map, opts) {
    var events = new CM.EventLayer({ colors: opts.colors, otherColor: opts.otherColor });
    var heat = new CM.HeatLayer({});
    events.addTo(map);
    var overlays = {};
    overlays["Events"] = events;
    overlays["Heat map"] = heat;
    var bases = {};
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) bases[opts.tileName || "Tiles"] = layer;
    });
    if (opts.outlinesUrl) overlays["Country outlines"] = CM.addOutlines(map, opts.outlinesUrl);
    L.control.layers(bases, overlays, { collapsed: true, position: "topright" }).addTo(map);
    var note = opts.unmapped ? opts.unmapped + " event(s) without coordinates not shown" : "";
    legendControl(opts.types, opts.colors, opts.otherColor, note).addTo(map);
    map.cmEvents = events;
    map.cmHeat = heat;
    var restored = restoreView(map, opts.key);
    events.ready = CM.decode(opts.data).then(function (decoded) {
      if (!restored && opts.fit) {
        // st_folium sizes the map after the first fit ran; fit again now that the size is real.
        map.invalidateSize(false);
        map.fitBounds(opts.fit.bounds, { padding: opts.fit.padding, maxZoom: opts.fit.maxZoom, animate: false });
      }
      if (map.cmSaveView) map.cmSaveView();
      var data = new EventData(decoded);
      events.setData(data);
      heat.setData(data);
      if (opts.selected) {
        events.select(opts.selected);
        // Back after a click (the app reran and remounted the map): reopen that popup quietly,
        // without a click event, so st_folium does not report it (and rerun the app) again.
        if (restored) events.showPopup(opts.selected);
      }
      map.getContainer().setAttribute("data-cm-events", String(data.n));
      return data;
    }).catch(function (err) {
      map.getContainer().setAttribute("data-cm-error", String(err));
      throw err;
    });
    return events;
  };
})();
