package dev.meridian.samples.drill;

import java.util.Locale;
import java.util.Map;

/**
 * A minimal SVG writer for the drill's picture: rectangles, lines, polylines and text, each with optional
 * {@code data-*} attributes and a tooltip, escaped for XML. Only what the picture needs; not thread-safe.
 */
final class Svg {
    private final StringBuilder body = new StringBuilder();
    private final int width;
    private final int height;

    Svg(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** A rectangle; {@code attributes} (e.g. class, data-count) are written as given, escaped. */
    Svg rect(double x, double y, double w, double h, String fill, Map<String, String> attributes, String title) {
        body.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"",
                x, y, Math.max(0, w), Math.max(0, h), escape(fill)));
        attributes.forEach((k, v) -> body.append(' ').append(k).append("=\"").append(escape(v)).append('"'));
        if (title == null) {
            body.append("/>\n");
        } else {
            body.append("><title>").append(escape(title)).append("</title></rect>\n");
        }
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth) {
        body.append(String.format(Locale.ROOT,
                "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                x1, y1, x2, y2, escape(stroke), strokeWidth));
        return this;
    }

    /** A polyline through {@code points} (x0, y0, x1, y1, ...). */
    Svg polyline(double[] points, String stroke, Map<String, String> attributes) {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i + 1 < points.length; i += 2) {
            p.append(String.format(Locale.ROOT, "%s%.2f,%.2f", i == 0 ? "" : " ", points[i], points[i + 1]));
        }
        body.append("<polyline fill=\"none\" stroke=\"").append(escape(stroke)).append("\" stroke-width=\"1.5\"")
                .append(" points=\"").append(p).append('"');
        attributes.forEach((k, v) -> body.append(' ').append(k).append("=\"").append(escape(v)).append('"'));
        body.append("/>\n");
        return this;
    }

    Svg text(double x, double y, String text, int size, String anchor) {
        body.append(String.format(Locale.ROOT,
                "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>%n", x, y, size,
                escape(anchor), escape(text)));
        return this;
    }

    @Override
    public String toString() {
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\" font-family=\"sans-serif\">\n" + body + "</svg>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
