package dev.medsam.examples.programs;

import dev.medsam.core.Box;

/** Reading boxes from command-line text, for the example programs. */
final class Boxes {

    private Boxes() {
    }

    /**
     * "x0,y0,x1,y1" in pixels.
     *
     * @throws IllegalArgumentException naming the text if it is not four numbers forming a box
     */
    static Box parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("box '" + text + "': expected x0,y0,x1,y1 in pixels, such as 81,147,348,364");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("box '" + text + "': '" + parts[i].trim() + "' is not a number");
            }
        }
        try {
            return new Box(v[0], v[1], v[2], v[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("box '" + text + "': " + e.getMessage(), e);
        }
    }
}
