/*
 * German word rules (lib/analysis/german.c, stopwords.c): one numbered row
 * per case, rules and their exceptions alike.  A failure names the table and
 * the row number (the _i of the loop test).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "analysis/german.h"
#include "analysis/stem.h"

struct row {
	const char *in, *want;
};

/* lupe_de_degender: raw word -> base (a prefix of the word). */
static const struct row degender_rows[] = {
	{"Mitarbeiter:innen", "Mitarbeiter"}, /* 0 */
	{"Mitarbeiter*innen", "Mitarbeiter"}, /* 1 */
	{"Mitarbeiter_innen", "Mitarbeiter"}, /* 2 */
	{"MitarbeiterInnen", "Mitarbeiter"}, /* 3 */
	{"Mitarbeiter/-innen", "Mitarbeiter"}, /* 4 */
	{"Mitarbeiter/innen", "Mitarbeiter"}, /* 5 */
	{"Kolleg\u00b7innen", "Kolleg"}, /* 6 */
	{"Mitarbeiter:in", "Mitarbeiter"}, /* 7 */
	{"Mitarbeiter*in", "Mitarbeiter"}, /* 8 */
	{"MitarbeiterIn", "Mitarbeiter"}, /* 9 */
	{"Kolleg*in", "Kolleg"}, /* 10 */
	{"Kolleg*Innen", "Kolleg"}, /* 11 */
	{"Mitarbeiter(innen)", "Mitarbeiter"}, /* 12 */
	{"Mitarbeiter(in)", "Mitarbeiter"}, /* 13 */
	{"StudentInnen", "Student"}, /* 14 */
	{"KollegInnen", "Kolleg"}, /* 15 */
	{"\u00c4rztIn", "\u00c4rzt"}, /* 16 */
	{"Lehrer/-in", "Lehrer"}, /* 17 */
	{"Berater_in", "Berater"}, /* 18 */
	{"Innenstadt", "Innenstadt"}, /* 19 */
	{"Termin", "Termin"}, /* 20 */
	{"Berlin", "Berlin"}, /* 21 */
	{"Mitarbeiterinnen", "Mitarbeiterinnen"}, /* 22 */
	{"LinkedIn", "LinkedIn"}, /* 23 */
	{"CheckIn", "CheckIn"}, /* 24 */
	{"Check-In", "Check-In"}, /* 25 */
	{"Login", "Login"}, /* 26 */
	{"PlugIn", "PlugIn"}, /* 27 */
	{"sign_in", "sign_in"}, /* 28 */
	{"log/in", "log/in"}, /* 29 */
	{"Innen", "Innen"}, /* 30 */
	{":innen", ":innen"}, /* 31 */
	{"*in", "*in"}, /* 32 */
	{"In", "In"}, /* 33 */
	{"MITARBEITERINNEN", "MITARBEITERINNEN"}, /* 34 */
	{"Mitarbeiter*innenbefragung", "Mitarbeiter*innenbefragung"}, /* 35 */
	{"x:in", "x:in"}, /* 36 */
	{"Mitarbeiter)", "Mitarbeiter)"}, /* 37 */
};

/* lupe_de_spelling: case-folded word -> canonical spelling. */
static const struct row spelling_rows[] = {
	{"ueberstunden", "überstunden"}, /* 0 */
	{"aerger", "ärger"}, /* 1 */
	{"oeffentlich", "öffentlich"}, /* 2 */
	{"muenchen", "münchen"}, /* 3 */
	{"fuer", "für"}, /* 4 */
	{"ueber", "über"}, /* 5 */
	{"muessen", "müssen"}, /* 6 */
	{"koennen", "können"}, /* 7 */
	{"waehrend", "während"}, /* 8 */
	{"wuerde", "würde"}, /* 9 */
	{"haeuser", "häuser"}, /* 10 */
	{"saeue", "säue"}, /* 11 */
	{"mueller", "müller"}, /* 12 */
	{"schueler", "schüler"}, /* 13 */
	{"muell", "müll"}, /* 14 */
	{"knueller", "knüller"}, /* 15 */
	{"zuerich", "zürich"}, /* 16 */
	{"zuenden", "zünden"}, /* 17 */
	{"zuernen", "zürnen"}, /* 18 */
	{"geoeffnet", "geöffnet"}, /* 19 */
	{"religioes", "religiös"}, /* 20 */
	{"homoeopathie", "homöopathie"}, /* 21 */
	{"archaeologie", "archäologie"}, /* 22 */
	{"maeander", "mäander"}, /* 23 */
	{"europaeisch", "europäisch"}, /* 24 */
	{"praeimplantation", "präimplantation"}, /* 25 */
	{"geuebt", "geübt"}, /* 26 */
	{"menue", "menü"}, /* 27 */
	{"hauptmenues", "hauptmenüs"}, /* 28 */
	{"spoetter", "spötter"}, /* 29 */
	{"parteiuebergreifend", "parteiübergreifend"}, /* 30 */
	{"industrieueblich", "industrieüblich"}, /* 31 */
	{"neuuebersetzung", "neuübersetzung"}, /* 32 */
	{"mineraloel", "mineralöl"}, /* 33 */
	{"skandaloes", "skandalös"}, /* 34 */
	{"poestchen", "pöstchen"}, /* 35 */
	{"boeig", "böig"}, /* 36 */
	{"tschues", "tschüs"}, /* 37 */
	{"stuendlich", "stündlich"}, /* 38 */
	{"stuenden", "stünden"}, /* 39 */
	{"tuer", "tür"}, /* 40 */
	{"molekuel", "molekül"}, /* 41 */
	{"schwuel", "schwül"}, /* 42 */
	{"gestuet", "gestüt"}, /* 43 */
	{"aexte", "äxte"}, /* 44 */
	{"caesar", "cäsar"}, /* 45 */
	{"fahrraeder", "fahrräder"}, /* 46 */
	{"koenig", "könig"}, /* 47 */
	{"stadtkoefferchen", "stadtköfferchen"}, /* 48 */
	{"steuer", "steuer"}, /* 49 */
	{"feuer", "feuer"}, /* 50 */
	{"teuer", "teuer"}, /* 51 */
	{"neue", "neue"}, /* 52 */
	{"treue", "treue"}, /* 53 */
	{"abenteuer", "abenteuer"}, /* 54 */
	{"mauer", "mauer"}, /* 55 */
	{"bauer", "bauer"}, /* 56 */
	{"dauer", "dauer"}, /* 57 */
	{"frauen", "frauen"}, /* 58 */
	{"kakaoernte", "kakaoernte"}, /* 59 */
	{"treuebonus", "treuebonus"}, /* 60 */
	{"queue", "queue"}, /* 61 */
	{"quelle", "quelle"}, /* 62 */
	{"bequem", "bequem"}, /* 63 */
	{"konsequent", "konsequent"}, /* 64 */
	{"aktuell", "aktuell"}, /* 65 */
	{"virtuell", "virtuell"}, /* 66 */
	{"individuell", "individuell"}, /* 67 */
	{"duell", "duell"}, /* 68 */
	{"manuell", "manuell"}, /* 69 */
	{"sexuell", "sexuell"}, /* 70 */
	{"eventuell", "eventuell"}, /* 71 */
	{"visuell", "visuell"}, /* 72 */
	{"intellektuelle", "intellektuelle"}, /* 73 */
	{"michael", "michael"}, /* 74 */
	{"michaela", "michaela"}, /* 75 */
	{"israel", "israel"}, /* 76 */
	{"israelisch", "israelisch"}, /* 77 */
	{"raphael", "raphael"}, /* 78 */
	{"rafael", "rafael"}, /* 79 */
	{"niagarafaelle", "niagarafälle"}, /* 80 */
	{"jischmael", "jischmael"}, /* 81 */
	{"ismael", "ismael"}, /* 82 */
	{"mikael", "mikael"}, /* 83 */
	{"aerobic", "aerobic"}, /* 84 */
	{"aerosol", "aerosol"}, /* 85 */
	{"paella", "paella"}, /* 86 */
	{"maestro", "maestro"}, /* 87 */
	{"kafkaesk", "kafkaesk"}, /* 88 */
	{"oktaeder", "oktaeder"}, /* 89 */
	{"tetraeder", "tetraeder"}, /* 90 */
	{"hexaeder", "hexaeder"}, /* 91 */
	{"choleraepidemie", "choleraepidemie"}, /* 92 */
	{"naturae", "naturae"}, /* 93 */
	{"reggae", "reggae"}, /* 94 */
	{"kameraeinstellung", "kameraeinstellung"}, /* 95 */
	{"poet", "poet"}, /* 96 */
	{"poesie", "poesie"}, /* 97 */
	{"poem", "poem"}, /* 98 */
	{"koexistenz", "koexistenz"}, /* 99 */
	{"koeffizient", "koeffizient"}, /* 100 */
	{"koedukation", "koedukation"}, /* 101 */
	{"koevolution", "koevolution"}, /* 102 */
	{"koerzitiv", "koerzitiv"}, /* 103 */
	{"koenzym", "koenzym"}, /* 104 */
	{"aloe", "aloe"}, /* 105 */
	{"aloevera", "aloevera"}, /* 106 */
	{"oboe", "oboe"}, /* 107 */
	{"oboen", "oboen"}, /* 108 */
	{"autoexport", "autoexport"}, /* 109 */
	{"radioempfang", "radioempfang"}, /* 110 */
	{"kontoentwicklung", "kontoentwicklung"}, /* 111 */
	{"optoentkoppelt", "optoentkoppelt"}, /* 112 */
	{"mikroelektronik", "mikroelektronik"}, /* 113 */
	{"thermoelement", "thermoelement"}, /* 114 */
	{"fotoeffekt", "fotoeffekt"}, /* 115 */
	{"bioenergie", "bioenergie"}, /* 116 */
	{"bioethik", "bioethik"}, /* 117 */
	{"videoeditor", "videoeditor"}, /* 118 */
	{"bueroetage", "büroetage"}, /* 119 */
	{"nettoertrag", "nettoertrag"}, /* 120 */
	{"kontoeroeffnung", "kontoeröffnung"}, /* 121 */
	{"echoerkennung", "echoerkennung"}, /* 122 */
	{"pseudoerklaerung", "pseudoerklärung"}, /* 123 */
	{"homoehe", "homoehe"}, /* 124 */
	{"homoerotisch", "homoerotisch"}, /* 125 */
	{"goethe", "goethe"}, /* 126 */
	{"soeben", "soeben"}, /* 127 */
	{"joel", "joel"}, /* 128 */
	{"citroen", "citroen"}, /* 129 */
	{"oecd", "oecd"}, /* 130 */
	{"oem", "oem"}, /* 131 */
	{"oeuvre", "oeuvre"}, /* 132 */
	{"videoeinstellung", "videoeinstellung"}, /* 133 */
	{"zooeingang", "zooeingang"}, /* 134 */
	{"zuerst", "zuerst"}, /* 135 */
	{"zueinander", "zueinander"}, /* 136 */
	{"anzuerkennen", "anzuerkennen"}, /* 137 */
	{"aufzuessen", "aufzuessen"}, /* 138 */
	{"zurueckzuerobern", "zurückzuerobern"}, /* 139 */
	{"einzuebnen", "einzuebnen"}, /* 140 */
	{"weiterzuentwickeln", "weiterzuentwickeln"}, /* 141 */
	{"blues", "blues"}, /* 142 */
	{"bluescreen", "bluescreen"}, /* 143 */
	{"bluetooth", "bluetooth"}, /* 144 */
	{"issue", "issue"}, /* 145 */
	{"values", "values"}, /* 146 */
	{"suede", "suede"}, /* 147 */
	{"suedeuropa", "südeuropa"}, /* 148 */
	{"duett", "duett"}, /* 149 */
	{"menuett", "menuett"}, /* 150 */
	{"baguette", "baguette"}, /* 151 */
	{"statue", "statue"}, /* 152 */
	{"statuen", "statuen"}, /* 153 */
	{"statuette", "statuette"}, /* 154 */
	{"guerilla", "guerilla"}, /* 155 */
	{"puerto", "puerto"}, /* 156 */
	{"influenza", "influenza"}, /* 157 */
	{"influencer", "influencer"}, /* 158 */
	{"kongruent", "kongruent"}, /* 159 */
	{"akkuersatz", "akkuersatz"}, /* 160 */
	{"wichtigtuerei", "wichtigtuerei"}, /* 161 */
	{"geheimtuerisch", "geheimtuerisch"}, /* 162 */
	{"wichtigtuer", "wichtigtuer"}, /* 163 */
	{"tue", "tue"}, /* 164 */
	{"tuest", "tuest"}, /* 165 */
	{"wohltuend", "wohltuend"}, /* 166 */
	{"samuel", "samuel"}, /* 167 */
	{"manuela", "manuela"}, /* 168 */
	{"emanuels", "emanuels"}, /* 169 */
	{"individuen", "individuen"}, /* 170 */
	{"revuen", "revuen"}, /* 171 */
	{"suez", "suez"}, /* 172 */
	{"venezuela", "venezuela"}, /* 173 */
	{"buenos", "buenos"}, /* 174 */
	{"ärger", "ärger"}, /* 175 */
	{"strasse", "strasse"}, /* 176 */
	{"", ""}, /* 177 */
	{"e", "e"}, /* 178 */
	{"ue", "ue"}, /* 179 */
	{"u", "u"}, /* 180 */
};

/* lupe_de_prestem: canonical word -> word without feminine -in/-innen. */
static const struct row prestem_rows[] = {
	{"managerin", "manager"}, /* 0 */
	{"managerinnen", "manager"}, /* 1 */
	{"netzbotschafterinnen", "netzbotschafter"}, /* 2 */
	{"beraterin", "berater"}, /* 3 */
	{"kolleginnen", "kolleg"}, /* 4 */
	{"kollegin", "kolleg"}, /* 5 */
	{"lehrerinnen", "lehrer"}, /* 6 */
	{"ärztinnen", "ärzt"}, /* 7 */
	{"zahnärztin", "zahnärzt"}, /* 8 */
	{"studentinnen", "student"}, /* 9 */
	{"studentin", "student"}, /* 10 */
	{"praktikantin", "praktikant"}, /* 11 */
	{"doktorandin", "doktorand"}, /* 12 */
	{"friseurin", "friseur"}, /* 13 */
	{"frisörin", "frisör"}, /* 14 */
	{"biologin", "biolog"}, /* 15 */
	{"pädagogin", "pädagog"}, /* 16 */
	{"journalistin", "journalist"}, /* 17 */
	{"autorin", "autor"}, /* 18 */
	{"bibliothekarin", "bibliothekar"}, /* 19 */
	{"sekretärin", "sekretär"}, /* 20 */
	{"kandidatin", "kandidat"}, /* 21 */
	{"pilotin", "pilot"}, /* 22 */
	{"therapeutin", "therapeut"}, /* 23 */
	{"fotografin", "fotograf"}, /* 24 */
	{"geographin", "geograph"}, /* 25 */
	{"astronomin", "astronom"}, /* 26 */
	{"philosophin", "philosoph"}, /* 27 */
	{"monarchin", "monarch"}, /* 28 */
	{"chirurgin", "chirurg"}, /* 29 */
	{"architektin", "architekt"}, /* 30 */
	{"gymnasiastin", "gymnasiast"}, /* 31 */
	{"strategin", "strateg"}, /* 32 */
	{"portugiesin", "portugies"}, /* 33 */
	{"rechtsanwältin", "rechtsanwält"}, /* 34 */
	{"köchin", "köch"}, /* 35 */
	{"göttin", "gött"}, /* 36 */
	{"gräfin", "gräf"}, /* 37 */
	{"fürstin", "fürst"}, /* 38 */
	{"königin", "könig"}, /* 39 */
	{"herzogin", "herzog"}, /* 40 */
	{"freundin", "freund"}, /* 41 */
	{"kundin", "kund"}, /* 42 */
	{"heldin", "held"}, /* 43 */
	{"ehegattin", "ehegatt"}, /* 44 */
	{"gastwirtin", "gastwirt"}, /* 45 */
	{"beamtin", "beamt"}, /* 46 */
	{"expertin", "expert"}, /* 47 */
	{"genossin", "genoss"}, /* 48 */
	{"chefin", "chef"}, /* 49 */
	{"botin", "bot"}, /* 50 */
	{"patin", "pat"}, /* 51 */
	{"zarin", "zar"}, /* 52 */
	{"jüdin", "jüd"}, /* 53 */
	{"türkin", "türk"}, /* 54 */
	{"französin", "französ"}, /* 55 */
	{"herrin", "herr"}, /* 56 */
	{"bärin", "bär"}, /* 57 */
	{"gehilfinnen", "gehilf"}, /* 58 */
	{"kameradinnen", "kamerad"}, /* 59 */
	{"zeuginnen", "zeug"}, /* 60 */
	{"ministerin", "minister"}, /* 61 */
	{"oberin", "ober"}, /* 62 */
	{"bäuerin", "bäuer"}, /* 63 */
	{"termin", "termin"}, /* 64 */
	{"berlin", "berlin"}, /* 65 */
	{"benzin", "benzin"}, /* 66 */
	{"medizin", "medizin"}, /* 67 */
	{"disziplin", "disziplin"}, /* 68 */
	{"magazin", "magazin"}, /* 69 */
	{"glycerin", "glycerin"}, /* 70 */
	{"glyzerin", "glyzerin"}, /* 71 */
	{"nitroglycerin", "nitroglycerin"}, /* 72 */
	{"vitamin", "vitamin"}, /* 73 */
	{"protein", "protein"}, /* 74 */
	{"cousin", "cousin"}, /* 75 */
	{"in", "in"}, /* 76 */
	{"innen", "innen"}, /* 77 */
	{"beginn", "beginn"}, /* 78 */
	{"gewinn", "gewinn"}, /* 79 */
	{"sinn", "sinn"}, /* 80 */
	{"kinn", "kinn"}, /* 81 */
	{"rinne", "rinne"}, /* 82 */
	{"rinnen", "rinnen"}, /* 83 */
	{"beginnen", "beginnen"}, /* 84 */
	{"wiederbeginnen", "wiederbeginnen"}, /* 85 */
	{"gewinnen", "gewinnen"}, /* 86 */
	{"zurückgewinnen", "zurückgewinnen"}, /* 87 */
	{"spinnen", "spinnen"}, /* 88 */
	{"besinnen", "besinnen"}, /* 89 */
	{"ersinnen", "ersinnen"}, /* 90 */
	{"drinnen", "drinnen"}, /* 91 */
	{"finnen", "finnen"}, /* 92 */
	{"login", "login"}, /* 93 */
	{"cholesterin", "cholesterin"}, /* 94 */
	{"sterin", "sterin"}, /* 95 */
	{"hierin", "hierin"}, /* 96 */
	{"darin", "darin"}, /* 97 */
	{"worin", "worin"}, /* 98 */
	{"rosmarin", "rosmarin"}, /* 99 */
	{"aquamarin", "aquamarin"}, /* 100 */
	{"mandarin", "mandarin"}, /* 101 */
	{"stearin", "stearin"}, /* 102 */
	{"saccharin", "saccharin"}, /* 103 */
	{"nikotin", "nikotin"}, /* 104 */
	{"carotin", "carotin"}, /* 105 */
	{"keratin", "keratin"}, /* 106 */
	{"kreatin", "kreatin"}, /* 107 */
	{"platin", "platin"}, /* 108 */
	{"statin", "statin"}, /* 109 */
	{"simvastatin", "simvastatin"}, /* 110 */
	{"kartoffelgratin", "kartoffelgratin"}, /* 111 */
	{"valentin", "valentin"}, /* 112 */
	{"konstantin", "konstantin"}, /* 113 */
	{"kristin", "kristin"}, /* 114 */
	{"terpentin", "terpentin"}, /* 115 */
	{"florin", "florin"}, /* 116 */
	{"biotin", "biotin"}, /* 117 */
	{"chlorin", "chlorin"}, /* 118 */
	{"schwerin", "schwerin"}, /* 119 */
	{"severin", "severin"}, /* 120 */
	{"santorin", "santorin"}, /* 121 */
	{"turin", "turin"}, /* 122 */
	{"urin", "urin"}, /* 123 */
	{"kamin", "kamin"}, /* 124 */
	{"delfin", "delfin"}, /* 125 */
	{"pinguin", "pinguin"}, /* 126 */
	{"insulin", "insulin"}, /* 127 */
	{"heroin", "heroin"}, /* 128 */
	{"verein", "verein"}, /* 129 */
	{"stein", "stein"}, /* 130 */
	{"rubin", "rubin"}, /* 131 */
	{"zeppelin", "zeppelin"}, /* 132 */
	{"martin", "martin"}, /* 133 */
	{"aspirin", "aspirin"}, /* 134 */
	{"kathrin", "kathrin"}, /* 135 */
	{"", ""}, /* 136 */
	{"n", "n"}, /* 137 */
};

/* The whole stop list, in stored form. */
static const char *const stopwords[] = {
	"aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an",
	"ander", "andere", "anderem", "anderen", "anderer", "anderes", "anderm", "andern",
	"anderr", "anders", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da", "damit",
	"dann", "das", "dass", "dasselbe", "dazu", "dein", "deine", "deinem", "deinen",
	"deiner", "deines", "dem", "demselben", "den", "denn", "denselben", "der", "derer",
	"derselbe", "derselben", "des", "desselben", "dessen", "dich", "die", "dies", "diese",
	"dieselbe", "dieselben", "diesem", "diesen", "dieser", "dieses", "dir", "doch",
	"dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "einig",
	"einige", "einigem", "einigen", "einiger", "einiges", "einmal", "er", "es", "etwas",
	"euch", "euer", "eure", "eurem", "euren", "eurer", "eures", "für", "gegen", "gewesen",
	"hab", "habe", "haben", "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich",
	"ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "im", "in",
	"indem", "ins", "ist", "jede", "jedem", "jeden", "jeder", "jedes", "jene", "jenem",
	"jenen", "jener", "jenes", "jetzt", "kann", "kein", "keine", "keinem", "keinen",
	"keiner", "keines", "können", "könnte", "machen", "man", "manche", "manchem",
	"manchen", "mancher", "manches", "mein", "meine", "meinem", "meinen", "meiner",
	"meines", "mich", "mir", "mit", "muss", "musste", "nach", "nicht", "nichts", "noch",
	"nun", "nur", "ob", "oder", "ohne", "sehr", "sein", "seine", "seinem", "seinen",
	"seiner", "seines", "selbst", "sich", "sie", "sind", "so", "solche", "solchem",
	"solchen", "solcher", "solches", "soll", "sollte", "sondern", "sonst", "um", "und",
	"uns", "unse", "unsem", "unsen", "unser", "unsere", "unserem", "unseren", "unserer",
	"unseres", "unses", "unter", "viel", "vom", "von", "vor", "war", "waren", "warst",
	"was", "weg", "weil", "weiter", "welche", "welchem", "welchen", "welcher", "welches",
	"wenn", "werde", "werden", "wie", "wieder", "will", "wir", "wird", "wirst", "wo",
	"wollen", "wollte", "während", "würde", "würden", "zu", "zum", "zur", "zwar",
	"zwischen", "über",
	/* Question words and the passive auxiliary, added to the Snowball list. */
	"wann", "warum", "wem", "wen", "wer", "weshalb", "wessen", "wieso", "woher", "wohin",
	"worden", "wurde", "wurden", "viele", "vielen", "womit", "wofür", "worum", "wodurch",
	"worin", "woran", "worauf", "wozu",
};

/* Words that are not stopwords (near misses, the unfolded "daß", prefixes). */
static const char *const not_stopwords[] = {
"stopwort", "daß", "dasss", "zwischenzeit", "unse0", "", "aberr", "über0", "zu ", "manager", "strasse", "euere", "wurd", "wannen", "wessi", "zwischen\0",
};

/* lupe_de_degender_inner: raw word -> the compound without its inner marker ("" when none). */
static const struct row inner_rows[] = {
	{"Sch\u00fcler:innenvertretung", "Sch\u00fclervertretung"}, /* 0 */
	{"B\u00fcrger*innenmeister", "B\u00fcrgermeister"}, /* 1 */
	{"Lehrer_innenzimmer", "Lehrerzimmer"}, /* 2 */
	{"Sch\u00fclerInnenvertretung", "Sch\u00fclervertretung"}, /* 3 */
	{"Kolleg\u00b7innenkreis", "Kollegkreis"}, /* 4 */
	{"Lehrer/-innenzimmer", "Lehrerzimmer"}, /* 5 */
	{"Lehrer/innenzimmer", "Lehrerzimmer"}, /* 6 */
	{"Mitarbeiter:innenbefragung", "Mitarbeiterbefragung"}, /* 7 */
	{"Haus:innent\u00fcr", ""}, /* 8: no person noun before the colon */
	{"Thema:innenpolitik", ""}, /* 9 */
	{"Mitarbeiter:innen", ""}, /* 10: no rest (lupe_de_degender's) */
	{"Mitarbeiter:innenab", ""}, /* 11: a rest of two letters */
	{"Mitarbeiter:inbefragung", ""}, /* 12: the singular makes no compounds */
	{"Mitarbeiter:innenBefragung", ""}, /* 13: not lower case */
	{"Mitarbeiter:innen2020", ""}, /* 14 */
	{"LinkedInnenraum", ""}, /* 15 */
	{"Innenraum", ""}, /* 16 */
	{":innenraum", ""}, /* 17 */
};

/* lupe_de_unspelled: raw word -> lower case with its ae/oe/ue as typed ("" when none or not letters). */
static const struct row unspelled_rows[] = {
	{"K\u00f6roerliche", "k\u00f6roerliche"}, /* 0 */
	{"Parlaentswahlen", "parlaentswahlen"}, /* 1 */
	{"STRASSE", ""}, /* 2: no pair */
	{"Stra\u00dfenbauer", "strassenbauer"}, /* 3: ß as ss, the ue of bauer kept */
	{"Ueberstunden", "ueberstunden"}, /* 4 */
	{"Haus", ""}, /* 5 */
	{"Koe-ln", ""}, /* 6: not all letters */
	{"", ""}, /* 7 */
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A row of a function that writes its result to out (at most cap bytes) and returns its length. */
typedef size_t (*rewrite_fn)(const char *in, size_t len, char *out, size_t cap);

static void check_rewrite(const char *what, rewrite_fn fn, const struct row *r, int i)
{
	char out[128];
	size_t n = fn(r->in, strlen(r->in), out, sizeof out);
	ck_assert_msg(n == strlen(r->want) && memcmp(out, r->want, n) == 0, "%s row %d: \"%s\" -> \"%.*s\", want \"%s\"",
		      what, i, r->in, (int)n, out, r->want);
}

START_TEST(unspelled_table)
{
	check_rewrite("unspelled", lupe_de_unspelled, &unspelled_rows[_i], _i);
}
END_TEST

START_TEST(degender_inner_table)
{
	check_rewrite("degender_inner", lupe_de_degender_inner, &inner_rows[_i], _i);
}
END_TEST

START_TEST(degender_table)
{
	const struct row *r = &degender_rows[_i];
	size_t n = lupe_de_degender(r->in, strlen(r->in));
	ck_assert_msg(n == strlen(r->want) && memcmp(r->in, r->want, n) == 0,
		      "degender row %d: \"%s\" -> \"%.*s\", want \"%s\"", _i, r->in, (int)n, r->in, r->want);
}
END_TEST

START_TEST(spelling_table)
{
	const struct row *r = &spelling_rows[_i];
	char out[128], again[128];
	size_t n = lupe_de_spelling(r->in, strlen(r->in), out, sizeof out);
	ck_assert_msg(n == strlen(r->want) && memcmp(out, r->want, n) == 0,
		      "spelling row %d: \"%s\" -> \"%.*s\", want \"%s\"", _i, r->in, (int)n, out, r->want);
	size_t m = lupe_de_spelling(out, n, again, sizeof again);
	ck_assert_msg(m == n && memcmp(out, again, n) == 0, "spelling row %d is not stable", _i);
	/* In place gives the same. */
	char buf[128];
	memcpy(buf, r->in, strlen(r->in));
	size_t k = lupe_de_spelling(buf, strlen(r->in), buf, sizeof buf);
	ck_assert_msg(k == n && memcmp(buf, out, n) == 0, "spelling row %d differs in place", _i);
}
END_TEST

START_TEST(prestem_table)
{
	const struct row *r = &prestem_rows[_i];
	size_t n = lupe_de_prestem(r->in, strlen(r->in));
	ck_assert_msg(n == strlen(r->want) && memcmp(r->in, r->want, n) == 0,
		      "prestem row %d: \"%s\" -> \"%.*s\", want \"%s\"", _i, r->in, (int)n, r->in, r->want);
}
END_TEST

START_TEST(stopword_table)
{
	const char *w = stopwords[_i];
	ck_assert_msg(lupe_de_is_stopword(w, strlen(w)), "stopword %d \"%s\" not found", _i, w);
	/* The analyzer tests stopwords after lupe_de_spelling: it must not change them. */
	char out[64];
	size_t n = lupe_de_spelling(w, strlen(w), out, sizeof out);
	ck_assert_msg(n == strlen(w) && memcmp(out, w, n) == 0, "spelling changes stopword \"%s\"", w);
}
END_TEST

START_TEST(not_stopword_table)
{
	const char *w = not_stopwords[_i];
	size_t len = strlen(w);
	if (_i == N(not_stopwords) - 1)
		len = 9; /* "zwischen" plus an embedded NUL: length counts, not NUL */
	ck_assert_msg(!lupe_de_is_stopword(w, len), "\"%s\" taken as a stopword", w);
}
END_TEST

START_TEST(stopword_count)
{
	/* 231 Snowball words, daß stored as dass, plus unsere/-em/-en/-er/-es,
	 * plus 23 question words and passive auxiliaries. */
	ck_assert_int_eq(N(stopwords), 259);
}
END_TEST

START_TEST(spelling_truncates_at_character)
{
	char out[8];
	/* "überall" is 8 bytes once converted: cap 3 must not split the ü... */
	size_t n = lupe_de_spelling("ueberall", 8, out, 1);
	ck_assert_uint_eq(n, 0);
	n = lupe_de_spelling("ueberall", 8, out, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert(memcmp(out, "\xc3\xbc" "b", 3) == 0);
	/* ... nor an ä that was already in the input. */
	n = lupe_de_spelling("\xc3\xa4rger", 6, out, 1);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* Deterministic pseudo-random words over the letters the rules look at. */
static uint32_t rng = 12345u;
static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 16;
}

START_TEST(spelling_fixed_point_fuzz)
{
	static const char *const letters[] = {"a", "e", "o", "u", "i", "q", "z", "t", "l", "s", "r",
					     "n", "g", "b", "m", "d", "k", "x", "p", "c", "h", "\xc3\xa4"};
	for (int round = 0; round < 200000; round++) {
		char w[64], a[64], b[64];
		size_t len = 0;
		int k = 1 + (int)(next_rand() % 14);
		for (int j = 0; j < k; j++) {
			const char *l = letters[next_rand() % (sizeof letters / sizeof letters[0])];
			memcpy(w + len, l, strlen(l));
			len += strlen(l);
		}
		size_t n = lupe_de_spelling(w, len, a, sizeof a);
		size_t m = lupe_de_spelling(a, n, b, sizeof b);
		ck_assert_msg(n <= len && m == n && memcmp(a, b, n) == 0, "not stable: %.*s", (int)len, w);
	}
}
END_TEST

/*
 * Every word of the Snowball German vocabulary that contains ae, oe or ue
 * is written with real umlauts elsewhere, so its ae/oe/ue are not umlauts:
 * spelling must leave it alone.  The few it changes are Latin, Swiss or
 * names; they are listed here so that any new change shows up.
 */
static const char *const voc_changed[] = {
	"aeternitatis", "arguet", "balaenae", "bluet", "boell", "coeleste", "coelesti",
	"coelestis", "foemina", "fuerunt", "guet", "haemorrheos", "laert", "laertius",
	"loeb", "muess", "phaethon", "praedestinatione", "praedestinationes", "puerulus",
	"reguel", "reguels", "ruedi", "saeculi",
};

static const char *voc_path(const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "/usr/share/snowball/data/german/%s", name);
	return buf;
}

START_TEST(spelling_keeps_snowball_vocabulary)
{
	char path[256], line[512], out[512];
	FILE *f = fopen(voc_path("voc.txt", path, sizeof path), "r");
	ck_assert_msg(f != NULL, "cannot open %s (package snowball-data)", path);
	int with_pair = 0, changed = 0, translit = 0;
	while (fgets(line, sizeof line, f)) {
		size_t len = strcspn(line, "\n");
		line[len] = 0;
		if (strstr(line, "ae") || strstr(line, "oe") || strstr(line, "ue")) {
			with_pair++;
			size_t n = lupe_de_spelling(line, len, out, sizeof out);
			if (n != len || memcmp(out, line, len) != 0) {
				int listed = 0;
				for (int i = 0; i < N(voc_changed); i++)
					listed |= strcmp(voc_changed[i], line) == 0;
				ck_assert_msg(listed, "spelling changes the real word \"%s\" to \"%.*s\"", line,
					      (int)n, out);
				changed++;
			}
		}
		/* Transliterate words with umlauts and expect them back. */
		if (strstr(line, "\xc3\xa4") || strstr(line, "\xc3\xb6") || strstr(line, "\xc3\xbc")) {
			char t[512];
			size_t tn = 0;
			for (size_t i = 0; i < len && tn + 2 < sizeof t; i++) {
				unsigned char c = (unsigned char)line[i], d = (unsigned char)line[i + 1];
				if (c == 0xC3 && (d == 0xA4 || d == 0xB6 || d == 0xBC)) {
					t[tn++] = d == 0xA4 ? 'a' : d == 0xB6 ? 'o' : 'u';
					t[tn++] = 'e';
					i++;
				} else {
					t[tn++] = (char)c;
				}
			}
			size_t n = lupe_de_spelling(t, tn, out, sizeof out);
			if (n != len || memcmp(out, line, len) != 0)
				translit++;
		}
	}
	fclose(f);
	ck_assert_int_ge(with_pair, 500);
	ck_assert_int_eq(changed, N(voc_changed));
	/* Of the ~7000 words with umlauts, at most a handful (dö, prä, tü, ...) are not recovered. */
	ck_assert_msg(translit <= 20, "%d transliterated words not recovered", translit);
}
END_TEST

/* prestem + Snowball: the feminine forms reach the stem of the masculine. */
static const char *const same_stem[][5] = {
	{"manager", "managerin", "managerinnen", "managern", NULL},
	{"mitarbeiter", "mitarbeiterin", "mitarbeiterinnen", "mitarbeitern", NULL},
	{"lehrer", "lehrerin", "lehrerinnen", "lehrern", NULL},
	{"student", "studentin", "studentinnen", "studenten", NULL},
	{"kollege", "kollegin", "kolleginnen", "kollegen", NULL},
	{"arzt", "ärzte", "ärztin", "ärztinnen", NULL},
	{"koch", "köchin", "köchinnen", NULL, NULL},
	{"bauer", "bäuerin", "bäuerinnen", "bauern", NULL},
	{"netzbotschafter", "netzbotschafterin", "netzbotschafterinnen", NULL, NULL},
};

/* Exceptions must not lose their ending: stem(prestem(w)) == stem(w). */
static const char *const own_stem[] = {
	"termin", "berlin", "benzin", "medizin", "disziplin", "magazin", "glycerin", "nitroglycerin",
	"vitamin", "protein", "cousin", "beginnen", "gewinnen", "rinnen", "login", "rosmarin",
};

static void stem_of(lupe_stemmer *st, const char *w, char *buf, size_t cap)
{
	size_t n = lupe_de_prestem(w, strlen(w)), sl;
	const char *s = lupe_stem(st, w, n, &sl);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_lt(sl, cap);
	memcpy(buf, s, sl);
	buf[sl] = 0;
}

START_TEST(prestem_with_stemmer)
{
	lupe_stemmer *st;
	ck_assert_int_eq(lupe_stemmer_new(&st), 0);
	char first[64], other[64];
	stem_of(st, same_stem[_i][0], first, sizeof first);
	for (int j = 1; j < 5 && same_stem[_i][j]; j++) {
		stem_of(st, same_stem[_i][j], other, sizeof other);
		ck_assert_msg(strcmp(first, other) == 0, "row %d: %s -> %s but %s -> %s", _i,
			      same_stem[_i][0], first, same_stem[_i][j], other);
	}
	lupe_stemmer_free(st);
}
END_TEST

START_TEST(prestem_exceptions_with_stemmer)
{
	lupe_stemmer *st;
	ck_assert_int_eq(lupe_stemmer_new(&st), 0);
	const char *w = own_stem[_i];
	char a[64];
	stem_of(st, w, a, sizeof a);
	size_t sl;
	const char *plain = lupe_stem(st, w, strlen(w), &sl);
	ck_assert_msg(strlen(a) == sl && memcmp(a, plain, sl) == 0, "%s: %s vs %.*s", w, a, (int)sl, plain);
	lupe_stemmer_free(st);
}
END_TEST

static Suite *german_suite(void)
{
	Suite *s = suite_create("german");
	TCase *tc = tcase_create("rules");
	tcase_add_loop_test(tc, degender_table, 0, N(degender_rows));
	tcase_add_loop_test(tc, degender_inner_table, 0, N(inner_rows));
	tcase_add_loop_test(tc, unspelled_table, 0, N(unspelled_rows));
	tcase_add_loop_test(tc, spelling_table, 0, N(spelling_rows));
	tcase_add_loop_test(tc, prestem_table, 0, N(prestem_rows));
	tcase_add_loop_test(tc, stopword_table, 0, N(stopwords));
	tcase_add_loop_test(tc, not_stopword_table, 0, N(not_stopwords));
	tcase_add_test(tc, stopword_count);
	tcase_add_test(tc, spelling_truncates_at_character);
	tcase_add_test(tc, spelling_fixed_point_fuzz);
	tcase_add_test(tc, spelling_keeps_snowball_vocabulary);
	tcase_add_loop_test(tc, prestem_with_stemmer, 0, N(same_stem));
	tcase_add_loop_test(tc, prestem_exceptions_with_stemmer, 0, N(own_stem));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_run(german_suite(), CK_FORK_GETENV);
}
