package org.trufflebpf.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** JsonWriter: escapes every string so that a JSON parser reads back exactly the text written. */
class JsonWriterTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\"", JsonWriter.write("a\"b\\c\nd\te\u0001\u007f"));
    }

    @Test
    void everyStringReadsBackAsWritten() {
        for (String text : List.of("", "plain", "quote \" and \\ backslash", "line\r\nbreak", "\u0000\u001f", "é ü 中 😀", "\b\f/")) {
            assertEquals(text, TestJson.parse(JsonWriter.write(text)), text);
        }
    }

    @Test
    void loneSurrogatesAreEscapedAndPairsKept() {
        assertEquals("\"\\ud800x\"", JsonWriter.write("\ud800x"));
        assertEquals("\"x\\udc00\"", JsonWriter.write("x\udc00"));
        assertEquals("\"😀\"", JsonWriter.write("😀"));
    }

    @Test
    void objectsKeepTheirOrderAndNest() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("r0", 3L);
        document.put("action", null);
        document.put("ok", true);
        document.put("maps", List.of(Map.of("name", "counts")));
        document.put("values", Arrays.asList(1L, -2L, null));
        String json = JsonWriter.write(document);
        assertEquals("{\"r0\":3,\"action\":null,\"ok\":true,\"maps\":[{\"name\":\"counts\"}],\"values\":[1,-2,null]}", json);
        assertEquals(document, TestJson.parse(json));
    }

    @Test
    void numbersWithoutAJsonFormAreNull() {
        assertEquals("[null,null,1.5]", JsonWriter.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, 1.5)));
    }

    @Test
    void refusesValuesWithoutAJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(new Object()));
    }
}
