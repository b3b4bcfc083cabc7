/*
 * Badgeons: the map of the territoire apprenant (territoire.html).
 *
 * Reads the page's data (<script id="bdg-terr-data">, written by build_tools/territory.py),
 * keeps the holders that match the filters, and groups them by commune: one marker per commune,
 * at the commune's published point, never finer. folium's script (carte.js) builds the map and
 * the marker cluster, and calls back into BadgeonsTerritoire.rows / marker / clusterIcon /
 * attach. The list view and the count are drawn from the same rows, so they always agree
 * with the map. Every text from the data goes through textContent, never innerHTML.
 *
 * The list by commune is in the page as built (build_tools/templates/territory/page.html
 * writes the same markup as holderList below), so it reads without JavaScript and without the
 * map: this script starts the filters and the list on its own, and the map joins in when
 * carte.js calls attach(). The filters chosen are kept in the address (?badge=...), so that a
 * filtered view can be shared.
 */
(function () {
  "use strict";

  var source = document.getElementById("bdg-terr-data");
  var form = document.getElementById("bdg-terr-filters");
  if (!source || !form) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var FIELDS = ["badge", "level", "kind", "framework", "issuer"];
  /* Up to this many people, the list shows every badge at once; beyond, each commune's badges
     open on demand, so that a map of thousands of people stays quick to open (EXPANDED_LIMIT in
     build_tools/territory_map.py too). */
  var EXPANDED_LIMIT = 300;
  var state = { map: null, cluster: null, callback: null, labels: false };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function plural(count, one, many) {
    return count.toLocaleString("fr-FR") + " " + (count > 1 ? many : one);
  }

  /* The filters given in the page's address, for the values the page offers. */
  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      var select = form.elements[name];
      var value = params.get(name);
      if (!select || !value) {
        return;
      }
      var offered = Array.prototype.some.call(select.options, function (option) {
        return option.value === value;
      });
      if (offered) {
        select.value = value;
      }
    });
  }

  function writeAddress(chosen) {
    var params = new URLSearchParams(window.location.search);
    FIELDS.forEach(function (name) {
      if (chosen[name]) {
        params.set(name, chosen[name]);
      } else {
        params.delete(name);
      }
    });
    var query = params.toString();
    var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(window.history.state, "", address);
  }

  function choices() {
    var chosen = {};
    FIELDS.forEach(function (name) {
      chosen[name] = form.elements[name] ? form.elements[name].value : "";
    });
    return chosen;
  }

  function badgeMatches(badge, chosen) {
    return (
      (!chosen.badge || badge.slug === chosen.badge) &&
      (!chosen.level || String(badge.level) === chosen.level) &&
      (!chosen.kind || badge.kind === chosen.kind) &&
      (!chosen.framework || badge.frameworks.some(function (i) {
        return data.frameworks[i] === chosen.framework;
      }))
    );
  }

  function issuerMatches(issuer, chosen) {
    return !chosen.issuer || issuer.slug === chosen.issuer || issuer.networks.indexOf(chosen.issuer) >= 0;
  }

  /* The communes to show: [lat, lon, row] for each, where row lists the matching holders. */
  function rows(chosen) {
    var byCommune = {};
    var order = [];
    data.holders.forEach(function (holder) {
      var issuer = data.issuers[holder[1]];
      if (!issuerMatches(issuer, chosen)) {
        return;
      }
      var shown = [];
      for (var i = 0; i < holder[4].length; i += 2) {
        var badge = data.badges[holder[4][i]];
        if (badgeMatches(badge, chosen)) {
          shown.push({ badge: badge, assertion: holder[4][i + 1] });
        }
      }
      if (!shown.length) {
        return;
      }
      var key = holder[0];
      if (!byCommune[key]) {
        var commune = data.communes[key];
        byCommune[key] = { insee: commune[0], name: commune[1], departement: commune[2], lat: commune[3], lon: commune[4], holders: [] };
        order.push(key);
      }
      byCommune[key].holders.push({ issuer: issuer, name: holder[2], contact: holder[3] === 1, reference: holder[5], shown: shown });
    });
    return order.map(function (key) {
      var row = byCommune[key];
      return [row.lat, row.lon, row];
    });
  }

  function sizeClass(count) {
    return count < 10 ? "small" : count < 100 ? "medium" : "large";
  }

  /* A badge the map does not link (its page shows a name the map does not) is quoted by the
     consent's reference instead of its own, which is the address of that page. */
  function contactOf(holder, assertion) {
    var item = element("span", "bdg-terr-contact");
    if (!holder.contact) {
      item.textContent = "Pas de contact proposé.";
      return item;
    }
    var issuer = holder.issuer;
    item.appendChild(document.createTextNode("Contact : " + issuer.name + ", "));
    var mail = element("a", "", issuer.email);
    mail.href = "mailto:" + issuer.email + "?subject=" + encodeURIComponent("Référence du badge " + assertion);
    item.appendChild(mail);
    item.appendChild(document.createTextNode(", en citant la référence du badge : "));
    item.appendChild(element("code", "", assertion));
    if (issuer.url) {
      var page = element("a", "", "formulaire");
      page.href = issuer.url;
      item.appendChild(document.createTextNode(" (ou son "));
      item.appendChild(page);
      item.appendChild(document.createTextNode(")"));
    }
    item.appendChild(document.createTextNode("."));
    return item;
  }

  /* The holders of one commune, with their badges and how to reach them: popup and list. */
  function holderList(row) {
    var list = element("ul", "bdg-terr-holders");
    row.holders.forEach(function (holder) {
      var item = element("li", "bdg-terr-holder");
      item.appendChild(element("span", "bdg-terr-holder__name", holder.name || "Nom non affiché"));
      var badges = element("ul", "bdg-terr-badges");
      holder.shown.forEach(function (entry) {
        var line = element("li");
        if (entry.assertion) {
          var link = element("a", "", entry.badge.name);
          link.href = "a/" + entry.assertion + ".html";
          line.appendChild(link);
        } else {
          line.appendChild(element("span", "bdg-terr-badge", entry.badge.name));
        }
        var details = [entry.badge.kindLabel];
        if (entry.badge.level) {
          details.push("niveau " + entry.badge.level + " · " + entry.badge.levelLabel);
        }
        line.appendChild(document.createTextNode(" (" + details.join(", ") + ", délivré par " + holder.issuer.name + "). "));
        line.appendChild(contactOf(holder, entry.assertion || holder.reference));
        badges.appendChild(line);
      });
      item.appendChild(badges);
      list.appendChild(item);
    });
    return list;
  }

  function popup(row) {
    var box = element("div", "bdg-terr-popup");
    box.appendChild(element("p", "bdg-terr-popup__title", row.name + " (" + row.departement + ")"));
    box.appendChild(element("p", "bdg-terr-popup__count", plural(row.holders.length, "personne", "personnes")));
    box.appendChild(holderList(row));
    return box;
  }

  /* A marker's content: the count on screen, and a name in words for screen readers. */
  function iconContent(count, label) {
    var box = element("span", "bdg-terr-icon");
    var shown = element("span", "", String(count));
    shown.setAttribute("aria-hidden", "true");
    box.appendChild(shown);
    box.appendChild(element("span", "bdg-terr-sr", label));
    return box;
  }

  function marker(item) {
    var row = item[2];
    var count = row.holders.length;
    var people = plural(count, "personne", "personnes");
    var icon = L.divIcon({
      html: iconContent(count, row.name + " (" + row.departement + ") : " + people + ", voir leurs badges"),
      className: "bdg-commune bdg-commune--" + sizeClass(count),
      iconSize: L.point(34, 34),
    });
    var made = L.marker([item[0], item[1]], {
      icon: icon,
      title: row.name + " : " + people,
      keyboard: true,
      holders: count,
    });
    made.bindPopup(function () {
      return popup(row);
    }, popupSize());
    if (state.labels) {
      /* Without the background map, each commune's name stands beside its marker. */
      made.bindTooltip(row.name, { permanent: true, direction: "right", offset: [16, 0], className: "bdg-terr-label" });
    }
    return made;
  }

  /* Popups fit the map, beside the zoom buttons, so that their close button stays on screen on
     a phone: a popup's frame adds about 45 px to its content, the zoom buttons 50 px. */
  function popupSize() {
    var size = state.map ? state.map.getSize() : { x: 490, y: 400 };
    return {
      maxWidth: Math.max(160, Math.min(380, size.x - 110)),
      minWidth: 50,
      maxHeight: Math.max(160, Math.min(320, size.y - 100)),
      autoPanPaddingTopLeft: [55, 10],
      autoPanPaddingBottomRight: [10, 10],
    };
  }

  function clusterIcon(group) {
    var count = group.getAllChildMarkers().reduce(function (sum, child) {
      return sum + (child.options.holders || 0);
    }, 0);
    /* Only digits and fixed words go into this markup. */
    return L.divIcon({
      html: "<div><span aria-hidden=\"true\">" + count + "</span><span class=\"bdg-terr-sr\">" +
        plural(count, "personne", "personnes") + ", zoomer sur ces communes</span></div>",
      className: "marker-cluster marker-cluster-" + sizeClass(count),
      iconSize: L.point(40, 40),
    });
  }

  /* A commune's holders behind a disclosure, built when it is first opened. */
  function foldedList(row) {
    var details = element("details", "bdg-terr-fold");
    details.appendChild(element("summary", "", "Voir les badges et le contact (" + plural(row.holders.length, "personne", "personnes") + ")"));
    details.addEventListener("toggle", function () {
      if (details.open && details.childElementCount === 1) {
        details.appendChild(holderList(row));
      }
    });
    return details;
  }

  function renderTable(shown) {
    var body = document.querySelector("#bdg-terr-table tbody");
    if (!body) {
      return;
    }
    var people = shown.reduce(function (sum, item) { return sum + item[2].holders.length; }, 0);
    var sorted = shown.map(function (item) { return item[2]; }).sort(function (a, b) {
      return a.name.localeCompare(b.name, "fr");
    });
    var fragment = document.createDocumentFragment();
    sorted.forEach(function (row) {
      var line = element("tr");
      line.setAttribute("role", "row");
      line.dataset.insee = row.insee;
      var head = element("th", "", row.name + " (" + row.departement + ")");
      head.scope = "row";
      head.setAttribute("role", "rowheader");
      line.appendChild(head);
      var count = element("td", "bdg-terr-table__count", String(row.holders.length));
      count.setAttribute("role", "cell");
      line.appendChild(count);
      var cell = element("td");
      cell.setAttribute("role", "cell");
      if (people <= EXPANDED_LIMIT) {
        cell.appendChild(holderList(row));
      } else {
        cell.appendChild(foldedList(row));
      }
      line.appendChild(cell);
      fragment.appendChild(line);
    });
    body.replaceChildren(fragment);
  }

  function renderCount(shown) {
    var output = document.getElementById("bdg-terr-count");
    if (!output) {
      return;
    }
    var people = shown.reduce(function (sum, item) { return sum + item[2].holders.length; }, 0);
    output.dataset.people = String(people);
    output.dataset.communes = String(shown.length);
    if (!people) {
      output.textContent = data.holders.length
        ? "Aucune personne ne correspond à ces filtres : essayez-en d'autres ou effacez-les."
        : "Personne n'apparaît encore sur la carte.";
      return;
    }
    output.textContent = plural(people, "personne", "personnes") + " dans " + plural(shown.length, "commune", "communes");
  }

  function fit(shown) {
    if (!state.map || !shown.length) {
      return;
    }
    var bounds = L.latLngBounds(shown.map(function (item) { return [item[0], item[1]]; }));
    state.map.fitBounds(bounds.pad(0.2), { maxZoom: 10, animate: false });
  }

  function redrawMarkers(shown) {
    if (state.cluster) {
      state.cluster.clearLayers();
      state.cluster.addLayers(shown.map(state.callback));
    }
  }

  function update() {
    var chosen = choices();
    var shown = rows(chosen);
    redrawMarkers(shown);
    renderTable(shown);
    renderCount(shown);
    fit(shown);
    writeAddress(chosen);
  }

  function notice(parts) {
    var box = document.getElementById("bdg-terr-notice");
    if (!box || !box.hidden) {
      return;
    }
    parts.forEach(function (part) {
      if (typeof part === "string") {
        box.appendChild(document.createTextNode(part));
      } else {
        var link = element("a", "", part.text);
        link.href = part.href;
        box.appendChild(link);
      }
    });
    box.hidden = false;
  }

  /* The background map could not be loaded (offline, or the tile server is out of reach). */
  function tilesFailed() {
    notice([
      "Le fond de carte ne s'affiche pas (pas de connexion, ou serveur de cartes d'OpenStreetMap injoignable) : chaque rond reste placé au centre de sa commune, dont le nom est écrit à côté. La ",
      { text: "liste par commune", href: "#liste" },
      ", plus bas, donne les mêmes informations.",
    ]);
    if (!state.labels) {
      state.labels = true;
      redrawMarkers(rows(choices()));
    }
  }

  /* Leaflet's controls, in French: zoom buttons, metric scale, attribution, popup close. */
  function frenchControls(map) {
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    if (map.attributionControl) {
      map.attributionControl.setPrefix(
        '<a href="https://leafletjs.com" title="Bibliothèque JavaScript de cartes interactives">Leaflet</a>'
      );
    }
    map.on("popupopen", function (event) {
      var popup = event.popup;
      var close = popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", "Fermer");
        close.title = "Fermer";
      }
      /* The map's size now (a phone turned, a window resized), not when the marker was made. */
      var size = popupSize();
      if (size.maxWidth !== popup.options.maxWidth || size.maxHeight !== popup.options.maxHeight) {
        L.setOptions(popup, size);
        popup.update();
      }
    });
  }

  function attach(map, cluster, callback) {
    state.map = map;
    state.cluster = cluster;
    state.callback = callback;
    frenchControls(map);
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) {
        layer.on("tileerror", tilesFailed);
      }
    });
    /* Enter on a group of communes zooms in, as a click does. */
    cluster.on("clusterkeypress", function (event) {
      var key = event.originalEvent;
      if (key && (key.key === "Enter" || key.keyCode === 13)) {
        event.layer.zoomToBounds({ padding: [20, 20] });
        map.getContainer().focus();
      }
    });
    fit(rows(choices()));
    document.documentElement.dataset.territoire = "ready";
  }

  /* The filters and the list work without the map: started here, before carte.js runs. */
  function start() {
    readAddress();
    var shown = rows(choices());
    renderTable(shown);
    renderCount(shown);
    form.addEventListener("change", update);
    form.addEventListener("reset", function () {
      window.setTimeout(update, 0);
    });
    window.addEventListener("load", function () {
      if (!state.map) {
        var box = document.querySelector(".bdg-terr-map");
        if (box) {
          box.hidden = true;
        }
        notice([
          "La carte n'a pas pu s'afficher. La ",
          { text: "liste par commune", href: "#liste" },
          ", plus bas, donne les mêmes informations.",
        ]);
      }
      document.documentElement.dataset.territoireList = "ready";
    });
  }

  /* The markers on the map: [lat, lon, people] each (for tests and the curious). */
  function positions() {
    if (!state.cluster) {
      return [];
    }
    return state.cluster.getLayers().map(function (layer) {
      var at = layer.getLatLng();
      return [at.lat, at.lng, layer.options.holders];
    });
  }

  start();

  window.BadgeonsTerritoire = {
    rows: function () { return rows(choices()); },
    positions: positions,
    marker: marker,
    clusterIcon: clusterIcon,
    attach: attach,
  };
})();
