/*
 * Badgeons: the map of the territoire apprenant (territoire.html).
 *
 * Reads the page's data (<script id="bdg-terr-data">, written by build_tools/territory.py),
 * keeps the holders that match the filters, and groups them by commune: one marker per commune,
 * at the commune's published point, never finer. folium's script (carte.js) builds the map and
 * the marker cluster, and calls back into BadgeonsTerritoire.rows / marker / clusterIcon /
 * attach. The list view and the count are drawn from the same rows, so they always agree
 * with the map. Every text from the data goes through textContent, never innerHTML.
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
     open on demand, so that a map of thousands of people stays quick to open. */
  var EXPANDED_LIMIT = 300;
  var state = { map: null, cluster: null, callback: null };

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
      byCommune[key].holders.push({ issuer: issuer, name: holder[2], contact: holder[3] === 1, shown: shown });
    });
    return order.map(function (key) {
      var row = byCommune[key];
      return [row.lat, row.lon, row];
    });
  }

  function sizeClass(count) {
    return count < 10 ? "small" : count < 100 ? "medium" : "large";
  }

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
        var link = element("a", "", entry.badge.name);
        link.href = "a/" + entry.assertion + ".html";
        line.appendChild(link);
        var details = [entry.badge.kindLabel];
        if (entry.badge.level) {
          details.push("niveau " + entry.badge.level + " · " + entry.badge.levelLabel);
        }
        line.appendChild(document.createTextNode(" (" + details.join(", ") + ", délivré par " + holder.issuer.name + "). "));
        line.appendChild(contactOf(holder, entry.assertion));
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

  function marker(item) {
    var row = item[2];
    var count = row.holders.length;
    var icon = L.divIcon({
      html: "<span>" + count + "</span>",
      className: "bdg-commune bdg-commune--" + sizeClass(count),
      iconSize: L.point(34, 34),
    });
    var made = L.marker([item[0], item[1]], {
      icon: icon,
      title: row.name + " : " + plural(count, "personne", "personnes"),
      alt: row.name,
      keyboard: true,
      holders: count,
    });
    made.bindPopup(function () {
      return popup(row);
    }, { maxWidth: 380, maxHeight: 320 });
    return made;
  }

  function clusterIcon(group) {
    var count = group.getAllChildMarkers().reduce(function (sum, child) {
      return sum + (child.options.holders || 0);
    }, 0);
    return L.divIcon({
      html: "<div><span>" + count + "</span></div>",
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

  function update() {
    var shown = rows(choices());
    if (state.cluster) {
      state.cluster.clearLayers();
      state.cluster.addLayers(shown.map(state.callback));
    }
    renderTable(shown);
    renderCount(shown);
    fit(shown);
  }

  function attach(map, cluster, callback) {
    state.map = map;
    state.cluster = cluster;
    state.callback = callback;
    var shown = rows(choices());
    renderTable(shown);
    renderCount(shown);
    fit(shown);
    form.addEventListener("change", update);
    form.addEventListener("reset", function () {
      window.setTimeout(update, 0);
    });
    document.documentElement.dataset.territoire = "ready";
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

  window.BadgeonsTerritoire = {
    rows: function () { return rows(choices()); },
    positions: positions,
    marker: marker,
    clusterIcon: clusterIcon,
    attach: attach,
  };
})();
