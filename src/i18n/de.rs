//! The portal's words in German, keyed by their English text (see src/i18n.rs for how a text
//! is looked up: trimmed, numbers and “quoted” names replaced by `{}`).

/// `(English, German)`, one pair per text the portal shows.
pub static DE: &[(&str, &str)] = &[
    // The language switch.
    ("Language", "Sprache"),
    ("Realm", "Mandant"),
    // The chart's description (its names in quotes).
    (
        "Line chart of usage in {} over time ({}), one line per charge item: {}.",
        "Liniendiagramm der Nutzung in {} im Zeitverlauf ({}), eine Linie je Abrechnungsposten: {}.",
    ),
    (
        "Bar chart of usage in {} by charge item: {}.",
        "Balkendiagramm der Nutzung in {} nach Abrechnungsposten: {}.",
    ),
    (
        "Arrow keys read the values.",
        "Mit den Pfeiltasten lesen Sie die Werte.",
    ),
    (
        "Arrow keys read the values; Enter opens the records behind one.",
        "Mit den Pfeiltasten lesen Sie die Werte; die Eingabetaste öffnet die Datensätze hinter einem Wert.",
    ),
    // ── Header, navigation, app shell (src/app.rs) ──────────────────────────────────────────
    ("Loading the portal…", "Portal wird geladen …"),
    ("Usage Portal", "Nutzungsportal"),
    ("Main", "Hauptnavigation"),
    ("Usage", "Nutzung"),
    ("Reports", "Berichte"),
    ("Billing", "Abrechnung"),
    ("Record usage", "Nutzung erfassen"),
    ("This page does not exist.", "Diese Seite gibt es nicht."),
    (
        "Use the navigation above.",
        "Nutzen Sie die Navigation oben.",
    ),
    // ── Page loading (src/lazy.rs) ────────────────────────────────────────────────────
    ("Loading the page…", "Seite wird geladen …"),
    (
        "This page could not be loaded.",
        "Diese Seite konnte nicht geladen werden.",
    ),
    ("Loading the chart…", "Diagramm wird geladen …"),
    (
        "The chart could not be loaded.",
        "Das Diagramm konnte nicht geladen werden.",
    ),
    (
        "Loading the saved views…",
        "Gespeicherte Ansichten werden geladen …",
    ),
    (
        "The saved views could not be loaded.",
        "Die gespeicherten Ansichten konnten nicht geladen werden.",
    ),
    ("Loading the changes…", "Änderungen werden geladen …"),
    ("Loading the filters…", "Filter werden geladen …"),
    (
        "The filters could not be loaded.",
        "Die Filter konnten nicht geladen werden.",
    ),
    (
        "The changes could not be loaded.",
        "Die Änderungen konnten nicht geladen werden.",
    ),
    (
        "The comparison could not be loaded.",
        "Der Vergleich konnte nicht geladen werden.",
    ),
    (
        "Check the connection, then try again.",
        "Prüfen Sie die Verbindung und versuchen Sie es dann erneut.",
    ),
    ("Try again", "Erneut versuchen"),
    // ── Error view and the portal's own errors (src/components/error_view.rs, src/api) ──────
    ("Request id:", "Anfrage-ID:"),
    (
        "The portal is not configured correctly.",
        "Das Portal ist nicht richtig konfiguriert.",
    ),
    (
        "The request was cancelled.",
        "Die Anfrage wurde abgebrochen.",
    ),
    (
        "The usage service could not be reached.",
        "Der Nutzungsdienst ist nicht erreichbar.",
    ),
    (
        "Check your connection and try again.",
        "Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    ),
    (
        "The usage service sent an answer the portal does not understand.",
        "Der Nutzungsdienst hat eine Antwort gesendet, die das Portal nicht versteht.",
    ),
    (
        "The usage service answered HTTP {}.",
        "Der Nutzungsdienst hat mit HTTP {} geantwortet.",
    ),
    (
        "Sign in again, then retry.",
        "Melden Sie sich erneut an und versuchen Sie es dann noch einmal.",
    ),
    (
        "You are signed out: your sign-in has expired.",
        "Sie sind abgemeldet: Ihre Anmeldung ist abgelaufen.",
    ),
    (
        "You are signed out: the page could not provide a sign-in token.",
        "Sie sind abgemeldet: Die Seite konnte kein Anmeldetoken bereitstellen.",
    ),
    ("The portal was unmounted.", "Das Portal wurde entfernt."),
    (
        "getToken() did not resolve to a non-empty string.",
        "getToken() hat keine nicht leere Zeichenkette geliefert.",
    ),
    (
        "The request could not be prepared.",
        "Die Anfrage konnte nicht vorbereitet werden.",
    ),
    (
        "The file could not be opened.",
        "Die Datei konnte nicht geöffnet werden.",
    ),
    (
        "The file could not be read.",
        "Die Datei konnte nicht gelesen werden.",
    ),
    (
        "The file could not be downloaded completely.",
        "Die Datei konnte nicht vollständig heruntergeladen werden.",
    ),
    (
        "The file could not be written.",
        "Die Datei konnte nicht geschrieben werden.",
    ),
    (
        "The file could not be saved.",
        "Die Datei konnte nicht gespeichert werden.",
    ),
    (
        "This browser cannot save a download as it arrives.",
        "Dieser Browser kann einen Download nicht während des Empfangs speichern.",
    ),
    (
        "The download was cut short.",
        "Der Download wurde vorzeitig beendet.",
    ),
    (
        "Received {} of {} bytes; try again.",
        "{} von {} Bytes empfangen; versuchen Sie es erneut.",
    ),
    (
        "the browser refused to save the file",
        "Der Browser hat das Speichern der Datei verweigert.",
    ),
    // ── Budget notice (src/components/budget_notice.rs, portal-core budgets.rs) ─────────────
    ("Budget exceeded:", "Budget überschritten:"),
    ("Budget warning:", "Budgetwarnung:"),
    (
        "{} is exceeded ({} % of its threshold)",
        "{} ist überschritten ({} % des Schwellenwerts)",
    ),
    (
        "{} has reached its {} % alert level ({} % of its threshold)",
        "{} hat die Warnstufe von {} % erreicht ({} % des Schwellenwerts)",
    ),
    (
        "{} needs attention ({} % of its threshold)",
        "{} erfordert Aufmerksamkeit ({} % des Schwellenwerts)",
    ),
    ("See the budgets", "Zu den Budgets"),
    // ── Filter bar (src/components/filter_bar.rs) ────────────────────────────────────────────
    ("Summarized", "Zusammengefasst"),
    ("By hour", "Pro Stunde"),
    ("By day", "Pro Tag"),
    ("By month", "Pro Monat"),
    ("Time zone", "Zeitzone"),
    ("Apply", "Anwenden"),
    ("More filters", "Weitere Filter"),
    ("More filters ({} active)", "Weitere Filter ({} aktiv)"),
    ("Usage filters", "Nutzungsfilter"),
    ("Date range", "Zeitraum"),
    ("Presets", "Schnellauswahl"),
    ("From", "Von"),
    ("To (included)", "Bis (einschließlich)"),
    ("Detail", "Detailgrad"),
    ("Group by", "Gruppieren nach"),
    ("Filters", "Filter"),
    ("Feature", "Funktion"),
    ("Category", "Kategorie"),
    ("Project HRN", "Projekt-HRN"),
    ("Billing tag", "Abrechnungs-Tag"),
    ("Channel", "Kanal"),
    ("Any", "Beliebig"),
    ("Table", "Tabelle"),
    ("Rows per page", "Zeilen pro Seite"),
    ("Columns", "Spalten"),
    ("Columns shown", "Angezeigte Spalten"),
    // Date presets (portal-core url_state.rs).
    ("This month", "Dieser Monat"),
    ("Last month", "Letzter Monat"),
    ("Last {} days", "Letzte {} Tage"),
    // Storage channels (src/format.rs).
    ("Hot", "Heiß"),
    ("Cold", "Kalt"),
    // ── Column headings (portal-core labels.rs) ──────────────────────────────────────────────
    ("Subscription", "Abonnement"),
    ("Charge number", "Abrechnungsnummer"),
    ("Charge item", "Position"),
    ("Unit", "Einheit"),
    ("Billable", "Abrechenbar"),
    ("Resource", "Ressource"),
    ("Project", "Projekt"),
    ("Usage type", "Nutzungsart"),
    ("Time (UTC)", "Zeit (UTC)"),
    ("Time", "Zeit"),
    // ── Pager (src/components/pager.rs, src/pages/billing.rs) ───────────────────────────────
    ("« First", "« Erste"),
    ("‹ Previous", "‹ Zurück"),
    ("Next ›", "Weiter ›"),
    ("Last »", "Letzte »"),
    ("Pages", "Seiten"),
    ("Page {} of {}", "Seite {} von {}"),
    (
        "Page {} of {} · {} records",
        "Seite {} von {} · {} Datensätze",
    ),
    ("Page {} of {} · {} rows", "Seite {} von {} · {} Zeilen"),
    // ── Usage page (src/pages/usage.rs) ──────────────────────────────────────────────────────
    ("Compare with", "Vergleichen mit"),
    ("Nothing", "Nichts"),
    ("The previous period", "Der vorherige Zeitraum"),
    (
        "The same period a year earlier",
        "Derselbe Zeitraum ein Jahr zuvor",
    ),
    ("must be previous or year", "muss previous oder year sein"),
    (
        "Some settings in the link were not valid and were reset:",
        "Einige Einstellungen im Link waren ungültig und wurden zurückgesetzt:",
    ),
    (
        "Saved views: save this one, open another",
        "Gespeicherte Ansichten: diese speichern, eine andere öffnen",
    ),
    ("Loading totals…", "Summen werden geladen …"),
    ("Loading chart…", "Diagramm wird geladen …"),
    (
        "Too many points to chart. Choose a coarser detail level or a shorter range.",
        "Zu viele Punkte für ein Diagramm. Wählen Sie einen gröberen Detailgrad oder einen kürzeren Zeitraum.",
    ),
    (
        "No usage in the earlier period (",
        "Keine Nutzung im früheren Zeitraum (",
    ),
    ("): nothing to compare with.", "): nichts zum Vergleichen."),
    (
        "Loading the earlier period (",
        "Früherer Zeitraum wird geladen (",
    ),
    ("Data as of", "Datenstand:"),
    ("Refresh every {} seconds", "Alle {} Sekunden aktualisieren"),
    ("Loading usage…", "Nutzung wird geladen …"),
    (
        "No usage in this range. Try a wider date range or fewer filters.",
        "Keine Nutzung in diesem Zeitraum. Versuchen Sie einen größeren Zeitraum oder weniger Filter.",
    ),
    (
        "This page is past the last page of results.",
        "Diese Seite liegt hinter der letzten Ergebnisseite.",
    ),
    (
        "The earlier period has too many records to compare row by row. Choose a coarser detail level or a shorter range.",
        "Der frühere Zeitraum hat zu viele Datensätze für einen zeilenweisen Vergleich. Wählen Sie einen gröberen Detailgrad oder einen kürzeren Zeitraum.",
    ),
    ("Usage records", "Nutzungsdatensätze"),
    // ── Totals and changes (src/components/totals.rs, portal-core compare.rs) ───────────────
    ("Totals per unit", "Summen pro Einheit"),
    (
        "Totals for the whole range, per unit",
        "Summen für den gesamten Zeitraum, pro Einheit",
    ),
    ("Usage before", "Nutzung vorher"),
    ("Change %", "Änderung %"),
    (
        "No charge item changed against the earlier period.",
        "Keine Position hat sich gegenüber dem früheren Zeitraum verändert.",
    ),
    ("Biggest changes", "Größte Änderungen"),
    (
        "Biggest changes against the earlier period",
        "Größte Änderungen gegenüber dem früheren Zeitraum",
    ),
    ("Group", "Gruppe"),
    ("Before", "Vorher"),
    ("Now", "Jetzt"),
    ("Change", "Änderung"),
    ("new", "neu"),
    // ── Usage table (src/components/usage_table.rs, portal-core html.rs) ────────────────────
    ("Records", "Datensätze"),
    ("behind row {}", "hinter Zeile {}"),
    ("{} (still filling)", "{} (noch unvollständig)"),
    // ── Chart (src/components/usage_chart.rs, portal-core chart.rs) ─────────────────────────
    ("Other", "Sonstige"),
    ("Whole range", "Gesamter Zeitraum"),
    ("The chart's figures", "Werte des Diagramms"),
    ("Records behind this value", "Datensätze hinter diesem Wert"),
    (
        "This value is not one subscription's: open the records from the table's rows.",
        "Dieser Wert gehört nicht zu einem einzelnen Abonnement: Öffnen Sie die Datensätze über die Zeilen der Tabelle.",
    ),
    ("Show as table", "Als Tabelle anzeigen"),
    ("Still filling", "Noch unvollständig"),
    (
        "Dashed: the earlier period",
        "Gestrichelt: der frühere Zeitraum",
    ),
    (
        "Hollow points are buckets still filling: their figures may still grow.",
        "Hohle Punkte sind noch unvollständige Abschnitte: Ihre Werte können noch steigen.",
    ),
    (
        "Dashed lines are the earlier period, bucket by bucket.",
        "Gestrichelte Linien zeigen den früheren Zeitraum, Abschnitt für Abschnitt.",
    ),
    (
        "The chart could not be drawn:",
        "Das Diagramm konnte nicht gezeichnet werden:",
    ),
    (
        "the canvas refused to draw",
        "die Zeichenfläche hat das Zeichnen verweigert",
    ),
    (
        "the canvas cannot be drawn on",
        "auf der Zeichenfläche kann nicht gezeichnet werden",
    ),
    // ── Saved views (src/components/saved_views.rs, portal-core saved_views.rs) ─────────────
    ("Saved the view {}.", "Ansicht {} gespeichert."),
    ("Deleted the view {}.", "Ansicht {} gelöscht."),
    ("Range kept as", "Zeitraum speichern als"),
    (
        "This month, moving with today",
        "Dieser Monat, relativ zu heute",
    ),
    (
        "Last month, moving with today",
        "Letzter Monat, relativ zu heute",
    ),
    (
        "Last {} days, moving with today",
        "Letzte {} Tage, relativ zu heute",
    ),
    ("This month (relative)", "Dieser Monat (relativ)"),
    ("Last month (relative)", "Letzter Monat (relativ)"),
    ("Last {} days (relative)", "Letzte {} Tage (relativ)"),
    ("No saved views yet.", "Noch keine gespeicherten Ansichten."),
    ("Saved views", "Gespeicherte Ansichten"),
    ("Range", "Zeitraum"),
    ("Saved", "Gespeichert"),
    ("Delete", "Löschen"),
    ("Delete the view {}", "Ansicht {} löschen"),
    ("Save this view", "Diese Ansicht speichern"),
    ("View name", "Name der Ansicht"),
    ("Saving…", "Wird gespeichert …"),
    ("Save view", "Ansicht speichern"),
    // ── CSV download (src/components/csv_download.rs) ───────────────────────────────────────
    ("Preparing CSV…", "CSV wird vorbereitet …"),
    ("Download CSV", "CSV herunterladen"),
    (
        "More than {} records: create a report for this export.",
        "Mehr als {} Datensätze: Erstellen Sie für diesen Export einen Bericht.",
    ),
    (
        "The whole result, every page.",
        "Das gesamte Ergebnis, alle Seiten.",
    ),
    // ── Reports page (src/pages/reports.rs, report_row.rs, hooks, portal-core reports.rs) ───
    (
        "Large exports are generated in the background; follow them here and save them straight to disk.",
        "Große Exporte werden im Hintergrund erstellt; verfolgen Sie sie hier und speichern Sie sie direkt auf der Festplatte.",
    ),
    (
        "Sub-accounts (none chosen: this organization)",
        "Unterkonten (keine gewählt: diese Organisation)",
    ),
    ("Loading accounts…", "Konten werden geladen …"),
    ("Create report", "Bericht erstellen"),
    ("Your reports", "Ihre Berichte"),
    ("Loading reports…", "Berichte werden geladen …"),
    (
        "No reports yet. Create one above.",
        "Noch keine Berichte. Erstellen Sie oben einen.",
    ),
    ("Reports, newest first", "Berichte, neueste zuerst"),
    ("Report", "Bericht"),
    ("Requested (UTC)", "Angefordert (UTC)"),
    ("Size", "Größe"),
    ("Parameters", "Parameter"),
    ("File", "Datei"),
    ("Download", "Herunterladen"),
    ("Download REPORT-{}", "REPORT-{} herunterladen"),
    ("In progress", "In Bearbeitung"),
    ("Completed", "Abgeschlossen"),
    (
        "Completed (truncated at 1,000,000 records)",
        "Abgeschlossen (bei 1.000.000 Datensätzen abgeschnitten)",
    ),
    (
        "Failed: The report was interrupted {} times while it was being generated and is not tried again. Ask for it again, perhaps over a shorter range.",
        "Fehlgeschlagen: Der Bericht wurde während der Erstellung {}-mal unterbrochen und wird nicht erneut versucht. Fordern Sie ihn erneut an, eventuell für einen kürzeren Zeitraum.",
    ),
    (
        "Failed: The report could not be generated. Try again; if it fails again, contact support with the report id.",
        "Fehlgeschlagen: Der Bericht konnte nicht erstellt werden. Versuchen Sie es erneut; schlägt es wieder fehl, wenden Sie sich mit der Berichts-ID an den Support.",
    ),
    (
        "Failed: The report did not finish within {} minutes on any of its {} attempts. Ask for a shorter range, a coarser detailLevel or fewer groupBy columns.",
        "Fehlgeschlagen: Der Bericht wurde nicht innerhalb von {} Minuten fertig, bei keinem seiner {} Versuche. Fordern Sie einen kürzeren Zeitraum, einen gröberen detailLevel oder weniger groupBy-Spalten an.",
    ),
    ("Download progress", "Download-Fortschritt"),
    ("Cancel download", "Download abbrechen"),
    ("REPORT-{}: starting…", "REPORT-{}: wird gestartet …"),
    ("Saved REPORT-{}.csv.", "REPORT-{}.csv gespeichert."),
    (
        "REPORT-{}.csv was handed to the browser's downloads.",
        "REPORT-{}.csv wurde an die Downloads des Browsers übergeben.",
    ),
    (
        "Download cancelled; the partial file was removed.",
        "Download abgebrochen; die unvollständige Datei wurde entfernt.",
    ),
    (
        "This browser cannot save the report.",
        "Dieser Browser kann den Bericht nicht speichern.",
    ),
    // ── Billing page (src/pages/billing.rs, src/components/billing_tables.rs) ───────────────
    (
        "Accounts (none chosen: your organization)",
        "Konten (keine gewählt: Ihre Organisation)",
    ),
    ("Billing filters", "Abrechnungsfilter"),
    ("From month", "Von Monat"),
    ("To month (included)", "Bis Monat (einschließlich)"),
    ("Show", "Anzeigen"),
    ("Loading billing…", "Abrechnung wird geladen …"),
    (
        "No billable usage for these accounts and months.",
        "Keine abrechenbare Nutzung für diese Konten und Monate.",
    ),
    ("Account {}", "Konto {}"),
    ("Usage of {}", "Nutzung von {}"),
    ("Month", "Monat"),
    ("Product", "Produkt"),
    ("Product id", "Produkt-ID"),
    ("Units", "Einheiten"),
    ("Price", "Preis"),
    ("Amount", "Betrag"),
    ("Total on this page", "Summe auf dieser Seite"),
    ("Total on this page in", "Summe auf dieser Seite in"),
    ("Account", "Konto"),
    (
        "In {}, for the calendar month (UTC).",
        "In {}, für den Kalendermonat (UTC).",
    ),
    (
        "An amount in {}, with at most {} decimals, for the calendar month (UTC).",
        "Ein Betrag in {} mit höchstens {} Nachkommastellen, für den Kalendermonat (UTC).",
    ),
    ("Amounts in", "Beträge in"),
    // ── Budgets page (src/pages/budgets.rs, budget_bar.rs, portal-core budgets.rs) ──────────
    (
        "Each budget counts the calendar month in UTC: a subscription's usage in its unit, or the amounts of every subscription in one currency.",
        "Jedes Budget zählt den Kalendermonat in UTC: die Nutzung eines Abonnements in dessen Einheit oder die Beträge aller Abonnements in einer Währung.",
    ),
    ("Created the budget {}.", "Budget {} angelegt."),
    ("Saved the budget {}.", "Budget {} gespeichert."),
    ("Deleted the budget {}.", "Budget {} gelöscht."),
    ("Loading the budgets…", "Budgets werden geladen …"),
    (
        "No budgets yet. Create one below.",
        "Noch keine Budgets. Legen Sie unten eines an.",
    ),
    ("Budgets this month", "Budgets in diesem Monat"),
    ("Counts", "Zählt"),
    ("Used", "Verbraucht"),
    ("Threshold", "Schwellenwert"),
    ("Forecast", "Prognose"),
    ("State", "Status"),
    ("Actions", "Aktionen"),
    (
        "Not yet (after the month's first day)",
        "Noch nicht (erst nach dem ersten Tag des Monats)",
    ),
    ("Edit", "Bearbeiten"),
    ("Edit the budget {}", "Budget {} bearbeiten"),
    ("Delete the budget {}", "Budget {} löschen"),
    (
        "Figures of this month (UTC) as of",
        "Werte dieses Monats (UTC), Stand",
    ),
    ("On track", "Im Plan"),
    ("Warning", "Warnung"),
    ("Exceeded", "Überschritten"),
    ("Alert at {} %", "Warnung bei {} %"),
    (
        "{} % used; alerts at {} %",
        "{} % verbraucht; Warnungen bei {} %",
    ),
    (
        "{} % used; alerts at {} %, {} %",
        "{} % verbraucht; Warnungen bei {} %, {} %",
    ),
    (
        "{} % used; alerts at {} %, {} %, {} %",
        "{} % verbraucht; Warnungen bei {} %, {} %, {} %",
    ),
    (
        "{} % used; alerts at {} %, {} %, {} %, {} %",
        "{} % verbraucht; Warnungen bei {} %, {} %, {} %, {} %",
    ),
    (
        "{} % used; alerts at {} %, {} %, {} %, {} %, {} %",
        "{} % verbraucht; Warnungen bei {} %, {} %, {} %, {} %, {} %",
    ),
    (
        "{} % used; forecast for the month {} %; alerts at {} %",
        "{} % verbraucht; Prognose für den Monat {} %; Warnungen bei {} %",
    ),
    (
        "{} % used; forecast for the month {} %; alerts at {} %, {} %",
        "{} % verbraucht; Prognose für den Monat {} %; Warnungen bei {} %, {} %",
    ),
    (
        "{} % used; forecast for the month {} %; alerts at {} %, {} %, {} %",
        "{} % verbraucht; Prognose für den Monat {} %; Warnungen bei {} %, {} %, {} %",
    ),
    (
        "{} % used; forecast for the month {} %; alerts at {} %, {} %, {} %, {} %",
        "{} % verbraucht; Prognose für den Monat {} %; Warnungen bei {} %, {} %, {} %, {} %",
    ),
    (
        "{} % used; forecast for the month {} %; alerts at {} %, {} %, {} %, {} %, {} %",
        "{} % verbraucht; Prognose für den Monat {} %; Warnungen bei {} %, {} %, {} %, {} %, {} %",
    ),
    ("Create a budget", "Budget anlegen"),
    ("Budget id", "Budget-ID"),
    (
        "The id of the budget being edited.",
        "Die ID des bearbeiteten Budgets.",
    ),
    (
        "Letters, digits, _ or -; left empty, it is made from the name.",
        "Buchstaben, Ziffern, _ oder -; bleibt das Feld leer, wird die ID aus dem Namen gebildet.",
    ),
    ("What it counts", "Was es zählt"),
    (
        "One subscription's usage (a quantity)",
        "Die Nutzung eines Abonnements (eine Menge)",
    ),
    (
        "The amounts of every subscription in one currency",
        "Die Beträge aller Abonnements in einer Währung",
    ),
    (
        "Currency (ISO 4217, such as EUR)",
        "Währung (ISO 4217, z. B. EUR)",
    ),
    (
        "Alert levels (% of the threshold)",
        "Warnstufen (% des Schwellenwerts)",
    ),
    (
        "Whole percents from 1 to 1000, at most 5, separated by commas.",
        "Ganze Prozentwerte von 1 bis 1000, höchstens 5, durch Kommas getrennt.",
    ),
    (
        "A quantity in the subscription's unit.",
        "Eine Menge in der Einheit des Abonnements.",
    ),
    (
        "An amount in the currency chosen.",
        "Ein Betrag in der gewählten Währung.",
    ),
    ("Save changes", "Änderungen speichern"),
    ("Create budget", "Budget anlegen"),
    ("Cancel editing", "Bearbeiten abbrechen"),
    // ── Record usage page (src/pages/record.rs, record_result.rs, subscription_picker.rs) ──
    ("Usage record", "Nutzungsdatensatz"),
    ("Quantity", "Menge"),
    ("Time (UTC; empty for now)", "Zeit (UTC; leer für jetzt)"),
    ("Dimensions (optional)", "Dimensionen (optional)"),
    ("None", "Keiner"),
    (
        "Accept what fits under the monthly limit",
        "Annehmen, was unter das Monatslimit passt",
    ),
    ("Recording…", "Wird erfasst …"),
    ("Requested", "Angefordert"),
    (", accepted", ", angenommen"),
    (
        "(clipped to the monthly limit)",
        "(auf das Monatslimit gekürzt)",
    ),
    ("Loading the subscriptions…", "Abonnements werden geladen …"),
    (
        "{} subscriptions: type part of a charge item, unit or id to find one.",
        "{} Abonnements: Geben Sie einen Teil einer Position, Einheit oder ID ein, um eines zu finden.",
    ),
    (
        "No subscription of this realm has this id.",
        "Kein Abonnement dieses Realms hat diese ID.",
    ),
    (
        "The list of subscriptions could not be loaded; an id can still be typed.",
        "Die Liste der Abonnements konnte nicht geladen werden; eine ID kann trotzdem eingegeben werden.",
    ),
    (
        "No monthly limit. Used this month (UTC):",
        "Kein Monatslimit. In diesem Monat verbraucht (UTC):",
    ),
    (
        "Remaining this month (UTC):",
        "In diesem Monat verbleibend (UTC):",
    ),
    ("of the monthly limit of", "vom Monatslimit von"),
    ("used).", "verbraucht)."),
    ("Over the monthly limit:", "Über dem Monatslimit:"),
    ("is more than the", "übersteigt die"),
    ("that remains of", "Rest von"),
    ("this month (UTC).", "in diesem Monat (UTC)."),
    (
        "With “Accept what fits”, this records",
        "Mit „Annehmen, was passt“ erfasst dies",
    ),
    (
        "“Accept what fits” would record",
        "„Annehmen, was passt“ würde",
    ),
    (
        "; without it the service refuses the whole quantity.",
        "erfassen; ohne diese Option lehnt der Dienst die gesamte Menge ab.",
    ),
    // ── Records page (src/pages/records.rs) ─────────────────────────────────────────────────
    (
        "Records behind this number",
        "Datensätze hinter dieser Zahl",
    ),
    (
        "Records behind this number, newest first",
        "Datensätze hinter dieser Zahl, neueste zuerst",
    ),
    ("‹ Back to usage", "‹ Zurück zur Nutzung"),
    ("Loading records…", "Datensätze werden geladen …"),
    (
        "No records match: nothing was recorded behind this number, or the link names another range or subscription.",
        "Keine passenden Datensätze: Hinter dieser Zahl wurde nichts erfasst, oder der Link nennt einen anderen Zeitraum oder ein anderes Abonnement.",
    ),
    (
        "This link does not name records.",
        "Dieser Link bezeichnet keine Datensätze.",
    ),
    ("Id", "ID"),
    ("Accepted", "Angenommen"),
    ("Recorded (UTC)", "Erfasst (UTC)"),
    (
        "{} records: too many to add up here; the first pages are shown.",
        "{} Datensätze: zu viele, um sie hier zu summieren; die ersten Seiten werden angezeigt.",
    ),
    (
        "These {} records add up to {} requested, {} billable: the figure you came from.",
        "Diese {} Datensätze ergeben {} angefordert, {} abrechenbar: der Wert, von dem Sie kamen.",
    ),
    (
        "These {} records add up to {} requested, {} billable.",
        "Diese {} Datensätze ergeben {} angefordert, {} abrechenbar.",
    ),
    (
        "These {} records add up to {} requested, {} billable, not the {} you came from: usage was recorded since that figure was read.",
        "Diese {} Datensätze ergeben {} angefordert, {} abrechenbar, nicht die {}, von denen Sie kamen: Seit dieser Wert gelesen wurde, wurde weitere Nutzung erfasst.",
    ),
    // ── Sizes (src/format.rs) ───────────────────────────────────────────────────────────────
    ("{} bytes", "{} Bytes"),
    // ── Field checks of the portal (portal-core url_state.rs, budgets.rs) ───────────────────
    (
        "choose at least one column",
        "wählen Sie mindestens eine Spalte",
    ),
    ("choose a start date", "wählen Sie ein Startdatum"),
    ("choose an end date", "wählen Sie ein Enddatum"),
    (
        "must be whole percents separated by commas, such as 80, 100",
        "müssen ganze Prozentwerte sein, durch Kommas getrennt, z. B. 80, 100",
    ),
    (
        "is the id of the budget {}: edit that one, or choose another id",
        "ist die ID des Budgets {}: Bearbeiten Sie dieses oder wählen Sie eine andere ID",
    ),
    // ── Validation messages (usage-api) ─────────────────────────────────────────────────────
    ("is required", "ist erforderlich"),
    ("is given more than once", "ist mehrfach angegeben"),
    (
        "is not a parameter of this endpoint",
        "ist kein Parameter dieses Endpunkts",
    ),
    ("must not be empty", "darf nicht leer sein"),
    (
        "must be later than startDate (the range is [startDate, endDate))",
        "muss nach startDate liegen (der Zeitraum ist [startDate, endDate))",
    ),
    (
        "must be at most {} characters",
        "darf höchstens {} Zeichen lang sein",
    ),
    (
        "must be {} to {} characters of letters, digits, '_' or '-'",
        "muss {} bis {} Zeichen lang sein und darf nur Buchstaben, Ziffern, '_' oder '-' enthalten",
    ),
    (
        "must be {} to {} characters of letters, digits, '.', ':' or '-' (no spaces)",
        "muss {} bis {} Zeichen lang sein und darf nur Buchstaben, Ziffern, '.', ':' oder '-' enthalten (keine Leerzeichen)",
    ),
    (
        "must be a whole number of at least {}",
        "muss eine ganze Zahl von mindestens {} sein",
    ),
    (
        "must be a whole number from {} to {}",
        "muss eine ganze Zahl von {} bis {} sein",
    ),
    (
        "must be a page number from {} to {}",
        "muss eine Seitenzahl von {} bis {} sein",
    ),
    (
        "and its alias are both given; give only startDate",
        "und sein Alias sind beide angegeben; geben Sie nur startDate an",
    ),
    (
        "and its alias are both given; give only endDate",
        "und sein Alias sind beide angegeben; geben Sie nur endDate an",
    ),
    ("must be hot or cold", "muss hot oder cold sein"),
    (
        "must be summarized, hour, day or month",
        "muss summarized, hour, day oder month sein",
    ),
    (
        "must be summarized, day or month",
        "muss summarized, day oder month sein",
    ),
    (
        "must be summarized, day or month for a report (hour is not offered)",
        "muss für einen Bericht summarized, day oder month sein (hour wird nicht angeboten)",
    ),
    (
        "must be at most {} days after startDate",
        "darf höchstens {} Tage nach startDate liegen",
    ),
    (
        "must be a UTC date-time as yyyy-MM-ddTHH:mm:ss (a trailing Z is allowed) or a date yyyy-MM-dd",
        "muss ein UTC-Zeitpunkt im Format yyyy-MM-ddTHH:mm:ss (ein abschließendes Z ist erlaubt) oder ein Datum im Format yyyy-MM-dd sein",
    ),
    (
        "must be an IANA time zone name such as UTC, Europe/Berlin or Asia/Kolkata",
        "muss ein IANA-Zeitzonenname wie UTC, Europe/Berlin oder Asia/Kolkata sein",
    ),
    (
        "must be yyyy-MM-ddTHH:mm:ss, with an offset ±HH:MM outside UTC",
        "muss das Format yyyy-MM-ddTHH:mm:ss haben, außerhalb von UTC mit einem Versatz ±HH:MM",
    ),
    (
        "must be a decimal number such as {} or {}",
        "muss eine Dezimalzahl wie {} oder {} sein",
    ),
    (
        "must have at most {} decimal places (the smallest step is {})",
        "darf höchstens {} Nachkommastellen haben (der kleinste Schritt ist {})",
    ),
    ("is too large", "ist zu groß"),
    ("must be at most {}", "darf höchstens {} sein"),
    ("must be at least {}", "muss mindestens {} sein"),
    ("must be greater than {}", "muss größer als {} sein"),
    (
        "must be within the last {} days and at most {} minutes ahead of now (UTC)",
        "muss innerhalb der letzten {} Tage und höchstens {} Minuten in der Zukunft liegen (UTC)",
    ),
    (
        "must not be empty (leave it out instead)",
        "darf nicht leer sein (lassen Sie es stattdessen weg)",
    ),
    (
        "must be a month as yyyy-MM",
        "muss ein Monat im Format yyyy-MM sein",
    ),
    ("must not be before from", "darf nicht vor from liegen"),
    (
        "must be at most {} months after from",
        "darf höchstens {} Monate nach from liegen",
    ),
    (
        "This caller is not authorized to query the given accounts. The accounts specified are not under the organization owning the current authentication token.",
        "Dieser Aufrufer darf die angegebenen Konten nicht abfragen. Die angegebenen Konten gehören nicht zu der Organisation, der das aktuelle Authentifizierungstoken gehört.",
    ),
    (
        "must not hold control characters",
        "darf keine Steuerzeichen enthalten",
    ),
    (
        "must be an ISO 4217 currency code such as EUR",
        "muss ein ISO-4217-Währungscode wie EUR sein",
    ),
    (
        "must list at least one level (or be left out for 80 and 100)",
        "muss mindestens eine Stufe nennen (oder für 80 und 100 weggelassen werden)",
    ),
    (
        "must list at most {} levels",
        "darf höchstens {} Stufen nennen",
    ),
    (
        "must be whole percents from {} to {}",
        "müssen ganze Prozentwerte von {} bis {} sein",
    ),
    ("must not repeat a level", "darf keine Stufe wiederholen"),
    (
        "must be left out when billingSubscriptionId is given (a budget is a quantity of one subscription or an amount in one currency)",
        "muss weggelassen werden, wenn billingSubscriptionId angegeben ist (ein Budget ist eine Menge eines Abonnements oder ein Betrag in einer Währung)",
    ),
    (
        "or currency is required: a quantity budget names its subscription, an amount budget its currency",
        "oder currency ist erforderlich: Ein Mengenbudget nennt sein Abonnement, ein Betragsbudget seine Währung",
    ),
    (
        "must name at least one sub-account, or be left out",
        "muss mindestens ein Unterkonto nennen oder weggelassen werden",
    ),
    (
        "must name at most {} sub-accounts",
        "darf höchstens {} Unterkonten nennen",
    ),
    (
        "is paging, which a view does not keep: leave it out",
        "ist eine Seitenangabe, die eine Ansicht nicht speichert: Lassen Sie sie weg",
    ),
    (
        "must be thisMonth, lastMonth, last7d, last30d, last90d",
        "muss einer der Werte thisMonth, lastMonth, last7d, last30d, last90d sein",
    ),
    (
        "must not be given with startDate or endDate: a view's range is either relative or fixed",
        "darf nicht zusammen mit startDate oder endDate angegeben werden: Der Zeitraum einer Ansicht ist entweder relativ oder fest",
    ),
    (
        "or startDate and endDate are required: a range is one of thisMonth, lastMonth, last7d, last30d, last90d",
        "oder startDate und endDate sind erforderlich: Ein Zeitraum ist einer der Werte thisMonth, lastMonth, last7d, last30d, last90d",
    ),
    // ── Field messages of the service (usage-server routes) ─────────────────────────────────
    ("must be a string", "muss eine Zeichenkette sein"),
    ("must be a number", "muss eine Zahl sein"),
    ("must be true or false", "muss true oder false sein"),
    ("must be a JSON object", "muss ein JSON-Objekt sein"),
    (
        "must be a decimal number, such as \"250.00\"",
        "muss eine Dezimalzahl sein, z. B. \"250.00\"",
    ),
    (
        "must be a list of whole percents, such as [50, 80, 100]",
        "muss eine Liste ganzer Prozentwerte sein, z. B. [50, 80, 100]",
    ),
    ("is not a field of a budget", "ist kein Feld eines Budgets"),
    ("is not a field of a view", "ist kein Feld einer Ansicht"),
    (
        "is not a field of a usage record",
        "ist kein Feld eines Nutzungsdatensatzes",
    ),
    (
        "is not a valid URL query string",
        "ist kein gültiger URL-Query-String",
    ),
    (
        "is {} bytes long; at most {}",
        "ist {} Bytes lang; höchstens {}",
    ),
    (
        "has {} parameters; at most {}",
        "hat {} Parameter; höchstens {}",
    ),
    (
        "must be at most {} bytes",
        "darf höchstens {} Bytes lang sein",
    ),
    (
        "must be a URL query string such as range=last30d&detailLevel=day",
        "muss ein URL-Query-String wie range=last30d&detailLevel=day sein",
    ),
    // ── Error bodies of the service (usage-server error.rs, auth.rs, ops.rs, routes) ────────
    (
        "The request has invalid parameters.",
        "Die Anfrage hat ungültige Parameter.",
    ),
    (
        "The request cannot be processed.",
        "Die Anfrage kann nicht verarbeitet werden.",
    ),
    (
        "The monthly limit would be exceeded.",
        "Das Monatslimit würde überschritten.",
    ),
    (
        "Authentication is required.",
        "Eine Authentifizierung ist erforderlich.",
    ),
    ("Not possible right now.", "Derzeit nicht möglich."),
    (
        "The result is too large for this request.",
        "Das Ergebnis ist für diese Anfrage zu groß.",
    ),
    ("Too many requests.", "Zu viele Anfragen."),
    ("The body must be JSON.", "Der Body muss JSON sein."),
    (
        "Send the body with Content-Type: application/json.",
        "Senden Sie den Body mit Content-Type: application/json.",
    ),
    ("Access denied.", "Zugriff verweigert."),
    ("Not found.", "Nicht gefunden."),
    (
        "Something went wrong on our side.",
        "Auf unserer Seite ist ein Fehler aufgetreten.",
    ),
    (
        "The error was logged; quote the request id when you report it.",
        "Der Fehler wurde protokolliert; nennen Sie die Anfrage-ID, wenn Sie ihn melden.",
    ),
    ("The service is busy.", "Der Dienst ist ausgelastet."),
    (
        "Try again after the number of seconds in the Retry-After header.",
        "Versuchen Sie es nach der im Retry-After-Header genannten Anzahl Sekunden erneut.",
    ),
    (
        "There is no such path in this API.",
        "Diesen Pfad gibt es in dieser API nicht.",
    ),
    (
        "This method is not allowed here.",
        "Diese Methode ist hier nicht erlaubt.",
    ),
    (
        "The Allow header lists the methods this path answers.",
        "Der Allow-Header nennt die Methoden, die dieser Pfad beantwortet.",
    ),
    ("The body is too large.", "Der Body ist zu groß."),
    ("Send a smaller body.", "Senden Sie einen kleineren Body."),
    ("The request is malformed.", "Die Anfrage ist fehlerhaft."),
    (
        "Check the path, the query and the body.",
        "Prüfen Sie den Pfad, die Query und den Body.",
    ),
    (
        "This token is over its request rate; retry after the Retry-After header's seconds.",
        "Dieses Token hat sein Anfragelimit überschritten; versuchen Sie es nach den Sekunden im Retry-After-Header erneut.",
    ),
    ("The service is not ready.", "Der Dienst ist nicht bereit."),
    (
        "The database did not answer in time; try again shortly.",
        "Die Datenbank hat nicht rechtzeitig geantwortet; versuchen Sie es gleich noch einmal.",
    ),
    (
        "Send an Authorization: Bearer <token> header.",
        "Senden Sie einen Header Authorization: Bearer <token>.",
    ),
    (
        "The Authorization header must be 'Bearer <token>'.",
        "Der Authorization-Header muss 'Bearer <token>' lauten.",
    ),
    (
        "The token is unknown or has been revoked.",
        "Das Token ist unbekannt oder wurde widerrufen.",
    ),
    (
        "The token has expired; get a new one.",
        "Das Token ist abgelaufen; holen Sie sich ein neues.",
    ),
    (
        "The download link is incomplete.",
        "Der Download-Link ist unvollständig.",
    ),
    (
        "The download link has expired or is not valid. Get a fresh one from the report's status.",
        "Der Download-Link ist abgelaufen oder ungültig. Holen Sie sich einen neuen über den Status des Berichts.",
    ),
    (
        "The report 'REPORT-{}' is inProgress; download it once it is completed.",
        "Der Bericht 'REPORT-{}' ist inProgress; laden Sie ihn herunter, sobald er abgeschlossen ist.",
    ),
    (
        "The report 'REPORT-{}' is failed; download it once it is completed.",
        "Der Bericht 'REPORT-{}' ist failed; er kann nicht heruntergeladen werden, da er nicht abgeschlossen ist.",
    ),
];
