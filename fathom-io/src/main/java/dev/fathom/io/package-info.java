/** See the module's name in its pom. */
package dev.fathom.io;
