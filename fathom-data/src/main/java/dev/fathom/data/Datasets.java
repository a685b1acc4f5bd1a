package dev.fathom.data;

/** Shared checks for the dataset implementations. */
final class Datasets {
    private Datasets() {}

    static int checkIndex(int index, int size) {
        if (index < 0 || index >= size)
            throw new IndexOutOfBoundsException("dataset index " + index + " is out of range for a dataset of size " + size);
        return index;
    }
}
